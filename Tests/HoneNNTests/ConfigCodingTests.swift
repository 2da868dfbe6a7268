import Foundation
import HoneNN
import XCTest

final class ConfigCodingTests: XCTestCase {
    func testTrainerConfigDecodesWithDefaults() throws {
        let json = #"""
        {"epochs": 3, "batchSize": 64,
         "optimizer": {"kind": "sgd", "learningRate": 0.1, "momentum": 0.9, "nesterov": true, "clipNorm": 1},
         "schedule": {"decay": {"cosine": {"minimum": 0.001}}, "warmup": 2, "unit": "step"},
         "earlyStopping": {"monitor": "val_accuracy", "patience": 4},
         "validationFraction": 0.1}
        """#
        let config = try JSONDecoder().decode(TrainerConfig.self, from: Data(json.utf8))
        XCTAssertEqual(config.epochs, 3)
        XCTAssertEqual(config.batchSize, 64)
        XCTAssertEqual(config.optimizer, OptimizerConfig(kind: .sgd, learningRate: 0.1, momentum: 0.9, nesterov: true, clipNorm: 1))
        XCTAssertEqual(config.schedule, LearningRateSchedule(.cosine(minimum: 0.001), warmup: 2, unit: .step))
        XCTAssertEqual(config.earlyStopping, EarlyStopping(monitor: .validationAccuracy, patience: 4))
        XCTAssertEqual(config.seed, 0)
        XCTAssertEqual(config.task, .auto)
        XCTAssertNoThrow(try config.validate())

        // Round trip.
        let again = try JSONDecoder().decode(TrainerConfig.self, from: JSONEncoder().encode(config))
        XCTAssertEqual(again, config)
        XCTAssertEqual(try JSONDecoder().decode(TrainerConfig.self, from: Data("{}".utf8)), TrainerConfig())
    }

    func testInvalidConfigNamesTheField() {
        assertThrowsMessage(["validationFraction must be in [0, 1)"]) { try TrainerConfig(validationFraction: 1).validate() }
        assertThrowsMessage(["patience must be at least 1"]) { try TrainerConfig(earlyStopping: EarlyStopping(patience: 0)).validate() }
    }
}
