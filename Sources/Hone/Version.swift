// The C exports of include/hone.h. Only C types cross this boundary.

/// Kept in step with HONE_VERSION_STRING and HONE_ABI_VERSION in include/hone.h
/// (tests/c/status_names.c checks that they agree).
public enum HoneVersion {
    public static let string = "0.4.0"
    public static let abi: Int32 = 1
}

private let versionCString: UnsafePointer<CChar> = {
    let bytes = Array(HoneVersion.string.utf8CString)
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    p.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(p)
}()

@_cdecl("hone_version")
public func hone_version() -> UnsafePointer<CChar> { versionCString }

@_cdecl("hone_abi_version")
public func hone_abi_version() -> Int32 { HoneVersion.abi }
