import Foundation
import XCTest

/// gantop in tmux on a private socket, run from a script that records its pid and exit status and
/// echoes a marker once it has exited (so a capture can show whether the shell got the terminal back).
final class TmuxSession {
    static let marker = "GANTOP-HAS-EXITED"
    let tmuxPath: String
    let socket: String
    let root: URL
    private var socketPath: String?

    private init(tmuxPath: String, socket: String, root: URL) {
        self.tmuxPath = tmuxPath
        self.socket = socket
        self.root = root
    }

    static func start(root: URL, width: Int, height: Int, command: [String]) throws -> TmuxSession {
        let tmux = try FullScreenEndToEndTests.findExecutable("tmux")
        let session = TmuxSession(tmuxPath: tmux, socket: "gantop-sig-\(getpid())-\(UUID().uuidString.prefix(6))", root: root)
        let config = root.appendingPathComponent("tmux.conf")
        try "set -g status off\nset -g remain-on-exit on\nset -g default-terminal xterm-256color\n"
            .write(to: config, atomically: true, encoding: .utf8)
        let script = root.appendingPathComponent("run.sh")
        let q = shellQuoted
        try """
            TERM=xterm-256color; export TERM
            unset NO_COLOR
            sh -c 'echo $$ > \(root.appendingPathComponent("pid").path); exec "$@"' gantop \(command.map(q).joined(separator: " ")) 2>\(q(root.appendingPathComponent("stderr").path))
            echo "EXIT=$?" > \(q(root.appendingPathComponent("exit").path))
            echo \(marker)

            """.write(to: script, atomically: true, encoding: .utf8)
        let r = session.tmux(["-f", config.path, "new-session", "-d", "-s", "sig", "-x", String(width), "-y", String(height),
                              "sh \(q(script.path))"])
        guard r.status == 0 else { throw NSError(domain: "tmux", code: Int(r.status), userInfo: [NSLocalizedDescriptionKey: r.output]) }
        let path = session.tmux(["display-message", "-p", "#{socket_path}"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        if path.contains(session.socket) { session.socketPath = path }
        return session
    }

    @discardableResult
    func tmux(_ arguments: [String]) -> (status: Int32, output: String) {
        FullScreenEndToEndTests.run(tmuxPath, ["-u", "-L", socket] + arguments)
    }

    func send(_ keys: [String]) { tmux(["send-keys", "-t", "sig"] + keys) }

    /// The visible screen; with `history`, the scrollback too (tmux's "Pane is dead" line scrolls the
    /// screen up by one once the script has exited, which can push the marker into the history).
    func capture(history: Bool = false) -> [String] {
        let r = tmux(["capture-pane", "-p", "-t", "sig"] + (history ? ["-S", "-"] : []))
        guard r.status == 0 else { return [] }
        var lines = r.output.components(separatedBy: "\n")
        if lines.last == "" { lines.removeLast() }
        return lines
    }

    /// "1" while the pane is in the alternate screen (ncurses' full-screen mode), "0" after.
    func altScreen() -> String {
        tmux(["display-message", "-p", "-t", "sig", "#{alternate_on}"]).output.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func poll<T>(timeout: Double, _ check: ([String]) -> T?) -> T? {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let screen = capture()
            if let value = check(screen) { return value }
            if Date() >= deadline { return nil }
            usleep(100_000)
        }
    }

    func gantopPID() -> pid_t? {
        (try? String(contentsOf: root.appendingPathComponent("pid"), encoding: .utf8))
            .flatMap { pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
    }

    func exitStatus() -> String? {
        (try? String(contentsOf: root.appendingPathComponent("exit"), encoding: .utf8))
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.flatMap { $0.isEmpty ? nil : $0 }
    }

    var stderr: String { (try? String(contentsOf: root.appendingPathComponent("stderr"), encoding: .utf8)) ?? "" }

    /// gantop's stderr and the screen, for failure messages.
    var diagnostics: String {
        "\ngantop stderr: \(stderr.isEmpty ? "(empty)" : stderr)\nscreen:\n" + capture().joined(separator: "\n")
    }

    /// Sends `q` and waits for the script's "EXIT=…" (nil: gantop did not exit within `timeout`).
    func quit(timeout: Double = 10) -> String? {
        send(["q"])
        return poll(timeout: timeout) { _ in self.exitStatus() }
    }

    func kill() {
        tmux(["kill-server"])
        if let socketPath { unlink(socketPath) }
    }
}

/// A test case that runs gantop in tmux sessions: it owns a scratch directory and takes every
/// session it started down afterwards, whatever the test did.
class TmuxTestCase: XCTestCase {
    private var scratch: URL?
    private var sessions: [TmuxSession] = []

    override func tearDown() {
        sessions.forEach { $0.kill() }
        if let scratch { try? FileManager.default.removeItem(at: scratch) }
        super.tearDown()
    }

    static var mnistData: String { FullScreenEndToEndTests.repositoryRoot.appendingPathComponent("assets/mnist").path }

    /// The test's scratch directory (created on first use).
    func work() throws -> URL {
        if let scratch { return scratch }
        let url = try makeScratchDirectory(String(describing: type(of: self)))
        scratch = url
        return url
    }

    /// Any command in a fresh tmux session (taken down with the test), run from `root`.
    func startSession(_ command: [String], root: URL, width: Int, height: Int) throws -> TmuxSession {
        let session = try TmuxSession.start(root: root, width: width, height: height, command: command)
        sessions.append(session)
        return session
    }

    /// `gantop <arguments> --data assets/mnist` in a fresh tmux session of `width` × `height`, run
    /// from its own folder under the scratch directory (returned with the session).
    func startGantop(_ arguments: [String], width: Int = 160, height: Int = 50) throws -> (session: TmuxSession, root: URL) {
        let root = try work().appendingPathComponent("session-\(UUID().uuidString.prefix(6))")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let gantop = [try FullScreenEndToEndTests.gantopBinary().path, "--data", Self.mnistData]
        return (try startSession(gantop + arguments, root: root, width: width, height: height), root)
    }
}
