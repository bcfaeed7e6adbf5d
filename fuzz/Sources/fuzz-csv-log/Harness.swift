import Foundation
import FuzzSupport
import GANFormats

/// `CSVLog` reopening an existing log (a resumed run's losses.csv): it reads the old header and
/// the last byte. Whatever the file held, the log either refuses it with a one-line error,
/// leaving it as it was, or appends a row after a line break, leaving every byte that was there
/// in place. The file lives in /dev/shm when there is one: each input is a file written and read.
private let columns = ["step", "d_loss", "g_loss"]
private let row: [CSVValue] = [1, 0.5, "a \"quoted\", field"]
private let path = (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
    + "/gantop-fuzz-csv-\(getpid()).csv"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let before = Fuzz.bytes(data, size)
    write(before)
    defer { unlink(path) }
    guard let log = Fuzz.accepted({ try CSVLog(url: URL(fileURLWithPath: path), columns: columns) }) else {
        if read() != before { fatalError("a refused log was changed") }
        return 0
    }
    do { try log.append(row) } catch { fatalError("append failed: \(error)") }
    let after = read()
    if !after.starts(with: before) { fatalError("reopening the log changed what it held") }
    let added = String(decoding: after[before.count...], as: UTF8.self)
    let line = row.map(\.field).joined(separator: ",") + "\n"
    // A new log gets the header; a row cut short by a crash is ended first, so no row is glued to it.
    let expected = before.isEmpty ? columns.joined(separator: ",") + "\n" + line
        : before.last == UInt8(ascii: "\n") ? line : "\n" + line
    if added != expected { fatalError("appended \(added.debugDescription), expected \(expected.debugDescription)") }
    return 0
}

private func write(_ bytes: [UInt8]) {
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    guard fd >= 0, bytes.withUnsafeBytes({ Foundation.write(fd, $0.baseAddress, $0.count) }) == bytes.count || bytes.isEmpty else {
        fatalError("cannot write \(path)")
    }
    close(fd)
}

private func read() -> [UInt8] {
    let fd = open(path, O_RDONLY)
    guard fd >= 0 else { fatalError("cannot read \(path)") }
    defer { close(fd) }
    var bytes: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let n = buffer.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress, $0.count) }
        guard n > 0 else { break }
        bytes += buffer[..<n]
    }
    return bytes
}

@main
enum Harness {
    static func main() { Fuzz.main(fuzzOneInput) }
}
