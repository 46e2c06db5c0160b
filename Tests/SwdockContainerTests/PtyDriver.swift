import Foundation
import SwdockTestSupport

/// Runs a command under a real pseudo-terminal (python3's `pty` and `termios`), following a
/// script of steps, as a person at a terminal would:
///
/// - `.expect(text)`: wait until the terminal output (from the last match on) contains `text`;
/// - `.send(text)`: type it; `.resize(rows, columns)`: TIOCSWINSZ on the pty (the child gets SIGWINCH);
/// - `.sleep(seconds)`.
///
/// The result is everything the terminal showed, the exit status, whether every expect was met
/// and the terminal's modes (`stty -g`) before and after, to see raw mode restored.
struct PtyDriver {
    enum Step {
        case expect(String)
        case send(String)
        case resize(rows: Int, columns: Int)
        case sleep(Double)
    }

    struct Outcome {
        var output: String
        var status: Int32
        var failure: String?
        var modesBefore: String
        var modesAfter: String
    }

    static let script = #"""
import json, os, pty, select, signal, struct, sys, termios, fcntl, time
spec = json.load(open(sys.argv[1]))
pid, fd = pty.fork()
if pid == 0:
    os.execve(spec["argv"][0], spec["argv"], dict(os.environ, **spec["env"]))
def setsize(rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
setsize(spec["rows"], spec["columns"])
def modes():
    a = termios.tcgetattr(fd)
    return "%x:%x:%x" % (a[0], a[1], a[3])
before = modes()
out = b""; mark = 0; failure = None
deadline = time.time() + spec["timeout"]
def pump(wait):
    global out
    r, _, _ = select.select([fd], [], [], wait)
    if r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            return False
        if not data:
            return False
        out += data
    return True
for step in spec["steps"]:
    kind, arg = step[0], step[1]
    if kind == "expect":
        want = arg.encode()
        alive = True
        while out.find(want, mark) < 0 and alive and time.time() < deadline:
            alive = pump(0.1)
        found = out.find(want, mark)
        if found < 0:
            failure = "never saw %r" % arg
            break
        mark = found + len(want)
    elif kind == "send":
        os.write(fd, arg.encode())
    elif kind == "resize":
        setsize(arg[0], arg[1]); os.kill(pid, signal.SIGWINCH)
    elif kind == "sleep":
        end = time.time() + arg
        while time.time() < end: pump(0.05)
status = None
while time.time() < deadline:
    done, st = os.waitpid(pid, os.WNOHANG)
    if done:
        status = os.waitstatus_to_exitcode(st); break
    pump(0.05)
if status is None:
    os.kill(pid, signal.SIGKILL); os.waitpid(pid, 0); status = -9
    failure = failure or "timed out"
after = "" 
try:
    after = modes()
except Exception:
    pass
while pump(0.05): pass
json.dump({"output": out.decode("utf-8", "replace"), "status": status, "failure": failure,
           "before": before, "after": after}, sys.stdout)
"""#

    /// Runs `argv` under a pty of `rows`×`columns`.
    static func run(_ argv: [String], env: [String: String] = [:], rows: Int = 24, columns: Int = 80,
                    steps: [Step], timeout: Double = 60, workDirectory: String) throws -> Outcome {
        let scriptPath = workDirectory + "/pty-driver.py"
        try script.write(toFile: scriptPath, atomically: true, encoding: .utf8)
        var encodedSteps: [[Any]] = []
        for step in steps {
            switch step {
            case .expect(let text): encodedSteps.append(["expect", text])
            case .send(let text): encodedSteps.append(["send", text])
            case .resize(let rows, let columns): encodedSteps.append(["resize", [rows, columns]])
            case .sleep(let seconds): encodedSteps.append(["sleep", seconds])
            }
        }
        let spec: [String: Any] = ["argv": argv, "env": env, "rows": rows, "columns": columns, "steps": encodedSteps,
                                   "timeout": timeout]
        let specPath = workDirectory + "/pty-spec-\(UUID().uuidString).json"
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: specPath))
        defer { try? FileManager.default.removeItem(atPath: specPath) }
        let result = try runCommand("/usr/bin/python3", [scriptPath, specPath], timeout: timeout + 30)
        guard let object = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any] else {
            throw FixtureError("pty driver", "no result: \(result.stdout) \(result.stderr)")
        }
        return Outcome(output: object["output"] as? String ?? "", status: Int32(object["status"] as? Int ?? -1),
                       failure: object["failure"] as? String, modesBefore: object["before"] as? String ?? "",
                       modesAfter: object["after"] as? String ?? "")
    }
}
