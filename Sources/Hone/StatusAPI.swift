// hone_status_name, hone_errmsg and hone_free: the status and memory calls of include/hone.h
// (status codes and messages themselves live in HonePlugins/Boundary, shared with the
// plugin calls).

import Foundation
import HonePlugins

private let statusNames: [Int32: UnsafePointer<CChar>] = Dictionary(uniqueKeysWithValues:
    HoneStatus.allCases.map { ($0.rawValue, UnsafePointer(strdup($0.cName)!)) })
private let unknownStatusName = UnsafePointer(strdup("HONE_UNKNOWN_STATUS")!)

@_cdecl("hone_status_name")
public func hone_status_name(_ status: Int32) -> UnsafePointer<CChar> { statusNames[status] ?? unknownStatusName }

@_cdecl("hone_errmsg")
public func hone_errmsg() -> UnsafePointer<CChar> { currentErrorMessage() }

@_cdecl("hone_free")
public func hone_free(_ p: UnsafeMutableRawPointer?) { free(p) }
