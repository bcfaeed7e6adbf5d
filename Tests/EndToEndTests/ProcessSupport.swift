import Foundation
import XCTest

/// Runs the `gantop` binary as a child with separate stdout/stderr files, a working directory,
/// a hard timeout and, for the signal tests, its pid while it runs.
///
/// posix_spawn rather than `Foundation.Process`, for the reason given in `FullScreenEndToEndTests.run`
/// (and because we want `waitpid` and `kill` under our own control).
struct ChildProcess {
    let pid: pid_t
    let stdoutPath: String
    let stderrPath: String
    let started: Date

    struct Result {
        /// Exit status; 128 + n if the child was killed by signal n (and `signalled` is true).
        var status: Int32
        var signalled: Bool
        var timedOut: Bool
        var stdout: String
        var stderr: String
        var seconds: Double
    }

    /// Starts `executable` with `arguments` in `directory` (through `/bin/sh -c 'cd … && exec …'`).
    static func start(_ executable: String, _ arguments: [String], in directory: URL,
                      outputPrefix: URL) throws -> ChildProcess {
        let stdoutPath = outputPrefix.path + ".stdout", stderrPath = outputPrefix.path + ".stderr"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, stdoutPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_addopen(&actions, 2, stderrPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        let maxFD = Int32(min(sysconf(Int32(_SC_OPEN_MAX)), 65536))
        if maxFD > 3 {
            for fd in 3 ..< maxFD where fcntl(fd, F_GETFD) != -1 { posix_spawn_file_actions_addclose(&actions, fd) }
        }
        let command = "cd \(shellQuoted(directory.path)) && exec " + ([executable] + arguments).map(shellQuoted).joined(separator: " ")
        let words: [String] = ["/bin/sh", "-c", command]
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = argv.withUnsafeBufferPointer { buffer in
            posix_spawn(&pid, "/bin/sh", &actions, nil, UnsafeMutablePointer(mutating: buffer.baseAddress!), environ)
        }
        guard spawned == 0 else {
            throw NSError(domain: "ChildProcess", code: Int(spawned),
                          userInfo: [NSLocalizedDescriptionKey: "posix_spawn: \(String(cString: strerror(spawned)))"])
        }
        return ChildProcess(pid: pid, stdoutPath: stdoutPath, stderrPath: stderrPath, started: Date())
    }

    /// Runs to completion (killed with SIGKILL after `timeout` seconds).
    static func run(_ executable: String, _ arguments: [String], in directory: URL, outputPrefix: URL,
                    timeout: Double = 20) throws -> Result {
        try start(executable, arguments, in: directory, outputPrefix: outputPrefix).wait(timeout: timeout)
    }

    var currentStdout: String { (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits up to `timeout` seconds, then SIGKILLs; always reaps the child.
    func wait(timeout: Double) -> Result {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        var timedOut = false
        while true {
            let r = waitpid(pid, &status, WNOHANG)
            if r == pid { break }
            if r == -1 && errno != EINTR { break }
            if Date() >= deadline {
                timedOut = true
                kill(pid, SIGKILL)
                while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
                break
            }
            usleep(5_000)
        }
        let seconds = Date().timeIntervalSince(started)
        let signalled = status & 0x7f != 0
        let code = signalled ? 128 + (status & 0x7f) : (status >> 8) & 0xff
        let out = (try? String(contentsOfFile: stdoutPath, encoding: .utf8)) ?? ""
        let err = (try? String(contentsOfFile: stderrPath, encoding: .utf8)) ?? ""
        unlink(stdoutPath)
        unlink(stderrPath)
        return Result(status: code, signalled: signalled, timedOut: timedOut, stdout: out, stderr: err, seconds: seconds)
    }
}

func shellQuoted(_ s: String) -> String {
    "'" + s.replacingOccurrences(of: "'", with: "'\\''") + "'"
}

/// A fresh directory under the temporary directory, removed by the caller.
func makeScratchDirectory(_ tag: String) throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("gantop-\(tag)-\(getpid())-\(UUID().uuidString.prefix(8))")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Everything under `directory`, relative paths, sorted.
func listing(_ directory: URL) -> [String] {
    guard let e = FileManager.default.enumerator(atPath: directory.path) else { return [] }
    return (e.allObjects as? [String] ?? []).sorted()
}
