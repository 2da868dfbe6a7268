// TensorBoard's Event and Summary messages, encoded by hand. Field numbers come from
// tensorflow/core/util/event.proto, core/framework/summary.proto, tensor.proto,
// tensor_shape.proto and tensorboard/plugins/hparams/plugin_data.proto.

import HoneSearch

/// One `Summary.Value` of an event.
enum SummaryValue {
    /// A point of a scalar chart (`simple_value`, a 32-bit float: what TensorBoard's
    /// scalar dashboard and EventAccumulator.Scalars read).
    case scalar(tag: String, value: Float)
    /// Markdown for the Text dashboard (a DT_STRING scalar tensor, plugin "text").
    case text(tag: String, markdown: String)
    /// The HParams dashboard's record of one run's hyperparameters (a "session").
    case sessionStart(hparams: [String: ParamValue], startTime: Double)
    /// How that session ended (tensorboard.hparams.Status).
    case sessionEnd(status: SessionStatus, endTime: Double)
}

enum SessionStatus: Int64 {
    case unknown = 0, success = 1, failure = 2, running = 3
}

enum TensorBoardEvent {
    static let fileVersion = "brain.Event:2"
    static let sessionStartTag = "_hparams_/session_start_info"
    static let sessionEndTag = "_hparams_/session_end_info"

    /// The first record of every event file: Event { wall_time, step 0, file_version }.
    static func fileVersionEvent(wallTime: Double) -> [UInt8] {
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.int64(2, 0)
        event.string(3, fileVersion)
        return event.bytes
    }

    /// Event { wall_time = 1, step = 2, summary = 5 { value = 1 … } }.
    static func summaryEvent(wallTime: Double, step: Int64, values: [SummaryValue]) -> [UInt8] {
        var event = ProtobufWriter()
        event.double(1, wallTime)
        event.int64(2, step)
        event.message(5) { summary in
            for value in values { summary.message(1, encode(value)) }
        }
        return event.bytes
    }

    /// Summary.Value: tag = 1, simple_value = 2, tensor = 8, metadata = 9.
    private static func encode(_ value: SummaryValue) -> ProtobufWriter {
        var out = ProtobufWriter()
        switch value {
        case .scalar(let tag, let x):
            out.string(1, tag)
            out.float(2, x)
        case .text(let tag, let markdown):
            out.string(1, tag)
            out.message(9) { metadata in pluginData(&metadata, name: "text", content: []) }
            out.message(8) { tensor in
                tensor.int64(1, 7)              // dtype DT_STRING
                tensor.message(2) { _ in }      // tensor_shape: a scalar, no dims
                tensor.string(8, markdown)      // string_val
            }
        case .sessionStart(let hparams, let startTime):
            out.string(1, sessionStartTag)
            var info = ProtobufWriter()         // SessionStartInfo
            for name in hparams.keys.sorted() {
                info.message(1) { entry in      // map<string, google.protobuf.Value> hparams = 1
                    entry.string(1, name)
                    entry.message(2) { encodeProtobufValue(hparams[name]!, into: &$0) }
                }
            }
            info.double(5, startTime)           // start_time_secs
            hparamsMetadata(&out, dataField: 3, data: info)
        case .sessionEnd(let status, let endTime):
            out.string(1, sessionEndTag)
            var info = ProtobufWriter()         // SessionEndInfo
            info.int64(1, status.rawValue)
            info.double(2, endTime)
            hparamsMetadata(&out, dataField: 4, data: info)
        }
        return out
    }

    /// SummaryMetadata.plugin_data = 1 { plugin_name = 1, content = 2 }.
    private static func pluginData(_ metadata: inout ProtobufWriter, name: String, content: [UInt8]) {
        metadata.message(1) { plugin in
            plugin.string(1, name)
            if !content.isEmpty { plugin.bytes(2, content) }
        }
    }

    /// The HParams plugin keeps its records in the metadata: HParamsPluginData { version = 1
    /// (0), session_start_info = 3 | session_end_info = 4 }; the value's tensor is the
    /// plugin's empty placeholder (DT_FLOAT, shape [0]).
    private static func hparamsMetadata(_ out: inout ProtobufWriter, dataField: Int, data: ProtobufWriter) {
        var content = ProtobufWriter()
        content.int64(1, 0)
        content.message(dataField, data)
        out.message(9) { metadata in pluginData(&metadata, name: "hparams", content: content.bytes) }
        out.message(8) { tensor in
            tensor.int64(1, 1)                                  // DT_FLOAT
            tensor.message(2) { shape in shape.message(2) { _ in } }  // one dim of size 0
        }
    }

    /// google.protobuf.Value: number_value = 2, string_value = 3, bool_value = 4.
    private static func encodeProtobufValue(_ value: ParamValue, into out: inout ProtobufWriter) {
        switch value {
        case .float(let x): out.double(2, x)
        case .int(let i): out.double(2, Double(i))
        case .string(let s): out.string(3, s)
        case .bool(let b): out.bool(4, b)
        case .null: out.int64(1, 0)                         // null_value = 1 (NULL_VALUE)
        }
    }
}
