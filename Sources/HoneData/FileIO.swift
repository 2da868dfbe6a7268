// Whole-file reads and atomic writes with errors that carry the operating system's
// reason. Foundation's `FileManager.contents(atPath:)` returns nil without saying why,
// which is exactly the information a user needs ("No such file", "Permission denied").

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

enum FileIO {
    /// The text of `strerror` for the current `errno`.
    static func lastErrorText() -> String {
        String(cString: strerror(errno))
    }

    /// Reads the whole file into memory. One `fstat` and a read loop straight into the
    /// array's storage: no intermediate `Data`, no copy.
    static func readAll(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw DataError(file: path, "cannot open file: \(lastErrorText())")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            throw DataError(file: path, "cannot stat file: \(lastErrorText())")
        }
        if (info.st_mode & S_IFMT) == S_IFDIR {
            throw DataError(file: path, "is a directory, not a file")
        }
        let size = Int(info.st_size)
        var failure: String?
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var done = 0
            while done < size {
                let n = read(fd, buffer.baseAddress! + done, size - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "read failed after \(done) bytes: \(lastErrorText())"
                    break
                }
                if n == 0 { break }  // file shrank while reading; keep what we have
                done += n
            }
            initialized = done
        }
        if let failure { throw DataError(file: path, failure) }
        return bytes
    }

    /// Writes `bytes` to `path` atomically: into a temporary file in the same directory,
    /// flushed, then renamed over the target. A crash or a full disk mid-write leaves the
    /// previous file intact, so saving a model never destroys the last good one.
    static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        // The rename below would replace whatever `path` names: never a device, pipe or
        // directory (saving to /dev/null must not delete the device).
        var info = stat()
        if lstat(path, &info) == 0 && (info.st_mode & S_IFMT) != S_IFREG && (info.st_mode & S_IFMT) != S_IFLNK {
            throw DataError(file: path, "is not a regular file (a device, pipe or directory); give a file path to write")
        }
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw DataError(file: path, "cannot create file: \(lastErrorText())")
        }
        var failure: String?
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    failure = "write failed after \(done) of \(raw.count) bytes: \(lastErrorText())"
                    return
                }
                done += n
            }
        }
        if failure == nil && fsync(fd) != 0 {
            failure = "fsync failed: \(lastErrorText())"
        }
        if close(fd) != 0 && failure == nil {
            failure = "close failed: \(lastErrorText())"
        }
        if failure == nil && rename(temporary, path) != 0 {
            failure = "cannot rename temporary file into place: \(lastErrorText())"
        }
        if let failure {
            unlink(temporary)
            throw DataError(file: path, failure)
        }
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }
}
