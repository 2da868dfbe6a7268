// PostgreSQL under the failures a shared study meets (issue 17, item 3): worker processes
// killed with SIGKILL in the middle of a trial, a server restart in the middle of a study,
// and a connection lost while COMMIT was in flight.
import Foundation
import HoneSearch
import XCTest
@testable import HoneStorage

final class PostgresResilienceTests: XCTestCase {
    // MARK: kill -9

    /// Eight workers with heartbeats share a study until it has `target` COMPLETE trials.
    /// One is killed with SIGKILL mid-trial, a replacement is started and killed the same
    /// way. The surviving workers fail both orphaned trials once their heartbeats are older
    /// than the grace period, and the study reaches its target: every trial COMPLETE or
    /// FAIL (stale heartbeat: exactly the two killed ones), numbers 0..<n each once, and
    /// every trial any worker reported done stored COMPLETE as reported.
    func testEightPostgresWorkersSurviveTwoKillsMidTrial() throws {
        let url = try makePostgresTestURL(self)
        let storage = try PostgresStorage(url: url)
        let study = try Study.create(name: "kill9", storage: storage, directions: [.minimize])
        // Heartbeats every 0.1 s against a grace of 1.5 s: a live worker is never taken for
        // dead even on a loaded machine, and the survivors (about 8 s of work) are still
        // running well after the second kill's grace has passed.
        let target = 400
        let common = ["--storage", url, "--study", "kill9", "--until-complete", "\(target)",
                      "--trial-seconds", "0.15", "--heartbeat-seconds", "0.1", "--grace-seconds", "1.5"]

        var workers = try (0..<8).map { _ in try WorkerProcess(common) }
        var victims: [WorkerProcess] = []
        var killedNumbers: [Int] = []
        /// Kills `victim` once it has completed a few trials and is inside the next one.
        func killMidTrial(_ victim: WorkerProcess) throws {
            let midTrial = victim.waitFor(timeout: 60) { lines in
                lines.filter { $0.hasPrefix("done") }.count >= 3 && lines.last?.hasPrefix("started") == true
            }
            XCTAssertTrue(midTrial, "worker did not get going: \(victim.outputLines) \(victim.standardError)")
            victim.killHard()
            XCTAssertEqual(victim.process.terminationReason, .uncaughtSignal)
            killedNumbers.append(try XCTUnwrap(victim.numbers("started").last))
            victims.append(victim)
        }
        try killMidTrial(workers.removeFirst())
        let replacement = try WorkerProcess(common)
        try killMidTrial(replacement)
        for (w, worker) in workers.enumerated() {
            XCTAssertEqual(worker.finish(timeout: 120), 0, "worker \(w): \(worker.standardError)")
        }

        let trials = try storage.allTrials(studyId: study.id)
        XCTAssertEqual(trials.map(\.number), Array(0..<trials.count), "numbers 0..<\(trials.count), each once")
        let complete = trials.filter { $0.state == .complete }
        XCTAssertGreaterThanOrEqual(complete.count, target, "the study reached its target")
        let failed = trials.filter { $0.state == .fail }
        XCTAssertEqual(failed.map(\.number).sorted(), killedNumbers.sorted(), "exactly the killed trials failed")
        for trial in failed {
            XCTAssertTrue(trial.failReason?.contains("stale heartbeat") ?? false, trial.failReason ?? "no reason")
        }
        XCTAssertEqual(complete.count + failed.count, trials.count, "nothing left RUNNING or WAITING")

        let reported = (workers + victims).flatMap(\.completed)
        XCTAssertEqual(Set(reported.map(\.number)).count, reported.count, "no trial completed by two workers")
        let byNumber = Dictionary(uniqueKeysWithValues: trials.map { ($0.number, $0) })
        for (number, x) in reported {
            XCTAssertEqual(byNumber[number]?.state, .complete, "trial \(number) was reported done")
            XCTAssertEqual(byNumber[number]?.values, [x * x], "trial \(number) stored as its worker reported it")
        }
        XCTAssertEqual(reported.count, complete.count, "every COMPLETE trial was reported by its worker: nothing lost")
        XCTAssertEqual((workers + victims).flatMap { $0.numbers("finished") }, [], "no survivor's trial was reclaimed")
    }

    // MARK: Server restart

    /// Eight workers share a study on a private server that is restarted under them
    /// twice. First a clean restart (`pg_ctl restart -m fast`: sessions terminated, then a
    /// shutdown checkpoint): every worker reconnects and goes on. Then a crash
    /// (`-m immediate`, crash recovery on start): workers go on, except that one whose
    /// COMMIT was in flight at the crash and cannot learn its outcome (PostgresConnection's
    /// rule) stops with that error instead of guessing. Afterwards: numbers 0..<n each
    /// once, the target reached, every trial a worker reported done stored as reported,
    /// and any trial not COMPLETE belongs to a worker that stopped that way.
    func testPostgresWorkersGoOnThroughServerRestarts() throws {
        let server = try PrivatePostgresServer(self)
        let url = server.url
        let storage = try PostgresStorage(url: url)
        let study = try Study.create(name: "restart", storage: storage, directions: [.minimize])
        let target = 320
        let workers = try (0..<8).map { _ in
            try WorkerProcess(["--storage", url, "--study", "restart", "--until-complete", "\(target)",
                               "--trial-seconds", "0.05", "--heartbeat-seconds", "0.2", "--grace-seconds", "10"])
        }
        func doneCount() -> Int { workers.reduce(0) { $0 + $1.numbers("done").count } }
        func waitForProgress(_ trials: Int) {
            let before = doneCount()
            XCTAssertTrue(waitUntil(timeout: 60) { doneCount() >= before + trials },
                          "workers stalled: \(workers.map(\.standardError))")
        }

        waitForProgress(40)
        try server.restart(mode: "fast")
        waitForProgress(40)
        for (w, worker) in workers.enumerated() {
            XCTAssertTrue(worker.process.isRunning, "worker \(w) stopped at a clean restart: \(worker.standardError)")
        }
        try server.restart(mode: "immediate")
        let doneAtCrash = doneCount()

        var stopped: [WorkerProcess] = []
        for (w, worker) in workers.enumerated() where worker.finish(timeout: 120) != 0 {
            XCTAssertTrue(worker.standardError.contains("cannot be known"), "worker \(w): \(worker.standardError)")
            stopped.append(worker)
        }
        print("server restarts: \(stopped.count) of \(workers.count) workers stopped at the crash (outcome of an in-flight COMMIT unknown)")
        XCTAssertLessThan(stopped.count, 3, "most workers ride through a crash")
        XCTAssertGreaterThan(doneCount(), doneAtCrash + 40, "the workers went on after the crash")

        let trials = try storage.allTrials(studyId: study.id)
        XCTAssertEqual(trials.map(\.number), Array(0..<trials.count), "numbers 0..<\(trials.count), each once")
        let complete = trials.filter { $0.state == .complete }
        XCTAssertGreaterThanOrEqual(complete.count, target)
        let stoppedIds = Set(stopped.map { $0.process.processIdentifier })
        func byStoppedWorker(_ trial: FrozenTrial) -> Bool {
            stoppedIds.contains { trial.workerId?.contains(":\($0):") ?? false }
        }
        for trial in trials where trial.state != .complete {
            XCTAssertTrue(byStoppedWorker(trial), "trial \(trial.number) \(trial.state) \(trial.failReason ?? "") is not a stopped worker's")
        }
        let reported = workers.flatMap(\.completed)
        XCTAssertEqual(Set(reported.map(\.number)).count, reported.count, "no trial completed by two workers")
        let byNumber = Dictionary(uniqueKeysWithValues: trials.map { ($0.number, $0) })
        for (number, x) in reported {
            XCTAssertEqual(byNumber[number]?.state, .complete, "trial \(number) was reported done")
            XCTAssertEqual(byNumber[number]?.values, [x * x], "trial \(number) stored as its worker reported it")
        }
        let reportedNumbers = Set(reported.map(\.number))
        for trial in complete where !reportedNumbers.contains(trial.number) {
            XCTAssertTrue(byStoppedWorker(trial), "COMPLETE trial \(trial.number) was reported by no worker")
        }
    }

    // MARK: COMMIT in flight

    /// The connection is cut right after COMMIT is sent: the server commits, the answer is
    /// lost. The wrapper reconnects, learns from txid_status that the transaction
    /// committed, and returns its result without running it again.
    func testCommitWhoseAnswerIsLostIsNotRunTwice() throws {
        let db = try PostgresConnection(url: try makePostgresTestURL(self))
        try db.execute("CREATE TABLE t (x BIGINT)")
        db.commitFault = .dropAfterSendingCommit
        var runs = 0
        let result = try db.transaction(.write) { () -> Int in
            runs += 1
            try db.execute("INSERT INTO t VALUES (1)")
            return 42
        }
        XCTAssertEqual(result, 42)
        XCTAssertEqual(runs, 1, "a committed transaction must not be re-run")
        XCTAssertEqual(db.reconnectCount, 1)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t").first?.int(0), 1)
    }

    /// The connection is cut just before COMMIT is sent: the server rolls the transaction
    /// back, and the wrapper re-runs it on a new connection, so its change lands once.
    func testTransactionCutBeforeCommitIsRunAgain() throws {
        let db = try PostgresConnection(url: try makePostgresTestURL(self))
        try db.execute("CREATE TABLE t (x BIGINT)")
        db.commitFault = .dropBeforeCommit
        var runs = 0
        try db.transaction(.write) {
            runs += 1
            try db.execute("INSERT INTO t VALUES (1)")
        }
        XCTAssertEqual(runs, 2)
        XCTAssertEqual(db.reconnectCount, 1)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t").first?.int(0), 1)
    }

    /// The answer to COMMIT is lost and the server then shuts down cleanly and starts
    /// again before the worker reconnects: a clean shutdown's checkpoint covers every
    /// transaction id handed out, so "committed" is about this transaction and is trusted.
    func testCommitAnswerLostAcrossACleanRestartIsTrusted() throws {
        let server = try PrivatePostgresServer(self)
        let db = try PostgresConnection(url: server.url)
        try db.execute("CREATE TABLE t (x BIGINT)")
        db.commitFault = .dropAfterSendingCommit
        db.onConnectionLost = {
            usleep(200_000)  // the server finishes the COMMIT it received
            try? server.stop(mode: "fast")
            // The new start in a later second than the shutdown checkpoint, which is what
            // tells a clean restart from crash recovery at the checkpoint's 1 s resolution.
            usleep(1_100_000)
            try? server.start()
        }
        var runs = 0
        let result = try db.transaction(.write) { () -> Int in
            runs += 1
            try db.execute("INSERT INTO t VALUES (1)")
            return 7
        }
        XCTAssertEqual(result, 7)
        XCTAssertEqual(runs, 1)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t").first?.int(0), 1)
    }

    /// The same after a crash (immediate shutdown, crash recovery): the server may hand an
    /// id out again, so "committed" could be another transaction's. The wrapper neither
    /// re-runs nor claims success: it throws, saying the outcome cannot be known. (Here
    /// the change did commit, so re-running would have stored it twice.)
    func testCommitAnswerLostAcrossACrashIsReportedUnknown() throws {
        let server = try PrivatePostgresServer(self)
        let db = try PostgresConnection(url: server.url)
        try db.execute("CREATE TABLE t (x BIGINT)")
        db.commitFault = .dropAfterSendingCommit
        db.onConnectionLost = {
            usleep(200_000)
            try? server.restart(mode: "immediate")
        }
        var runs = 0
        XCTAssertThrowsError(try db.transaction(.write) {
            runs += 1
            try db.execute("INSERT INTO t VALUES (1)")
        }) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .connectionLost)
            XCTAssertTrue(String(describing: error).contains("may have reused the transaction id"), "\(error)")
        }
        XCTAssertEqual(runs, 1)
        XCTAssertEqual(try db.execute("SELECT count(*) FROM t").first?.int(0), 1)
    }

    /// A server that stays down: the transaction gives up after `maxReconnectWait` with
    /// `connectionLost`, not hanging and not pretending.
    func testReconnectionGivesUpWithinItsBound() throws {
        let server = try PrivatePostgresServer(self)
        let db = try PostgresConnection(url: server.url)
        db.maxReconnectWait = 1
        try server.stop()
        let start = Date()
        XCTAssertThrowsError(try db.transaction(.write) { try db.execute("SELECT 1") }) { error in
            XCTAssertEqual((error as? DatabaseError)?.kind, .connectionLost)
            XCTAssertTrue(String(describing: error).contains("could not re-establish it within 1 s"), "\(error)")
        }
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
    }
}

/// Polls `condition` every 10 ms until it holds (true) or `timeout` passes (false).
private func waitUntil(timeout: Double, _ condition: () -> Bool) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

/// A PostgreSQL server of the test's own (initdb into a temporary directory, a free
/// loopback port), so it can be restarted or stopped without disturbing the shared test
/// server. Skips the test when the PostgreSQL server binaries are not installed. Stopped
/// and removed when the test ends.
final class PrivatePostgresServer {
    let url: String
    private let bin: String
    private let directory: String
    private let port: Int

    init(_ test: XCTestCase) throws {
        let root = "/usr/lib/postgresql"
        let versions = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        guard let version = versions.compactMap(Int.init).max(),
              FileManager.default.isExecutableFile(atPath: "\(root)/\(version)/bin/pg_ctl") else {
            throw XCTSkip("PostgreSQL server binaries are not installed under \(root)")
        }
        bin = "\(root)/\(version)/bin"
        directory = try makeTemporaryDirectory(test).appendingPathComponent("pgdata").path
        port = try PrivatePostgresServer.freePort()
        url = "postgresql://postgres@127.0.0.1:\(port)/postgres"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        if getuid() == 0 {  // initdb refuses to run as root
            try run("/bin/chown", ["-R", "postgres:postgres", URL(fileURLWithPath: directory).deletingLastPathComponent().path], asServer: false)
        }
        try run("\(bin)/initdb", ["-D", directory, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"])
        test.addTeardownBlock { [self] in try? stop() }
        try pgctl(["start"])
    }

    /// `pg_ctl restart -m MODE` (fast: sessions terminated; immediate: a crash, then
    /// recovery), waiting until the server accepts connections again.
    func restart(mode: String) throws { try pgctl(["restart", "-m", mode]) }

    func stop(mode: String = "fast") throws { try pgctl(["stop", "-m", mode]) }

    func start() throws { try pgctl(["start"]) }

    private func pgctl(_ arguments: [String]) throws {
        try run("\(bin)/pg_ctl", ["-D", directory, "-l", "\(directory)/server.log", "-w", "-t", "30",
                                  "-o", "-p \(port) -k \(directory) -c listen_addresses=127.0.0.1 -c fsync=off"] + arguments)
    }

    /// Runs `executable` (as the postgres user when the tests run as root, since initdb
    /// refuses root) and waits for it. Not through Foundation's Process: the server that
    /// pg_ctl leaves running would inherit the descriptors Process watches to notice a
    /// child's exit (and the pipes of the worker processes), and waiting would last as long
    /// as the server. So posix_spawn, with every descriptor above 2 closed in the child and
    /// the output in a file.
    private func run(_ executable: String, _ arguments: [String], asServer: Bool = true) throws {
        let argv = asServer && getuid() == 0 ? ["/usr/sbin/runuser", "-u", "postgres", "--", executable] + arguments
                                             : [executable] + arguments
        let outputPath = URL(fileURLWithPath: directory).deletingLastPathComponent().appendingPathComponent("command.out").path
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        for fd in open.compactMap({ Int32($0) }) where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)  // one closed meanwhile is ignored
        }
        let cArguments = argv.map { strdup($0) } + [nil]
        defer { cArguments.forEach { free($0) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, argv[0], &actions, nil, cArguments, environ)
        guard spawned == 0 else { throw XCTSkip("cannot run \(argv[0]): \(String(cString: strerror(spawned)))") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        guard status == 0 else {
            let text = (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? ""
            throw NSError(domain: "PrivatePostgresServer", code: Int(status),
                          userInfo: [NSLocalizedDescriptionKey: "\(argv.joined(separator: " ")) failed (status \(status)): \(text)"])
        }
    }

    /// A loopback TCP port nobody listens on right now (the kernel's choice for port 0).
    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
                bind(fd, socketAddress, length) == 0 && getsockname(fd, socketAddress, &length) == 0
            }
        }
        guard bound else { throw XCTSkip("cannot find a free loopback port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
