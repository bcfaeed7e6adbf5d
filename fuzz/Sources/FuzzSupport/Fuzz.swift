import CFuzzerDriver
import Foundation
import GANFormats

/// What every harness checks of a reader, beyond not crashing: it returns a value or throws a
/// one-line `FormatError` (the only error a user should see for bad bytes), and a value it
/// returns survives being written and read back unchanged. A broken rule traps, which libFuzzer
/// reports as a crash and saves the input.
public enum Fuzz {
    /// Hands the process to libFuzzer, which calls `testOneInput` with each input (the harness's
    /// `LLVMFuzzerTestOneInput`) and takes libFuzzer's usual arguments: corpus directories, or
    /// files to replay, and `-max_total_time=…` and the like.
    public static func main(_ testOneInput: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
    }

    /// libFuzzer's input as an array (what the readers take).
    public static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Runs `parse`; nil when it rejected the input properly.
    public static func accepted<T>(_ parse: () throws -> T) -> T? {
        do {
            return try parse()
        } catch let error as FormatError {
            if error.description.contains("\n") { fatalError("a FormatError of more than one line: \(error)") }
            return nil
        } catch {
            fatalError("not a FormatError (\(type(of: error))): \(error)")
        }
    }

    /// `parse` must accept what `encode` wrote of a value it returned, and return the same value.
    public static func roundTrip<T: Equatable>(_ bytes: [UInt8], parse: ([UInt8]) throws -> T, encode: (T) -> [UInt8]) {
        guard let value = accepted({ try parse(bytes) }) else { return }
        let written = encode(value)
        let again: T
        do { again = try parse(written) } catch { fatalError("re-reading what was written of an accepted value failed: \(error)") }
        if again != value { fatalError("re-encoding an accepted value changed it") }
    }
}
