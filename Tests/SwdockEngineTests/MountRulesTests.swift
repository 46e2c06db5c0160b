import XCTest
import SwdockOCI
@testable import SwdockEngine

final class MountRulesTests: XCTestCase {
    func testBindSpecParsing() throws {
        let cases: [(String, BindSpec)] = [
            ("/src:/dst", BindSpec(kind: .bind, source: "/src", destination: "/dst", readOnly: false, propagation: "rprivate", mode: "")),
            ("/src/:/dst/:ro", BindSpec(kind: .bind, source: "/src", destination: "/dst", readOnly: true, propagation: "rprivate", mode: "ro")),
            ("/src:/dst:rw,rshared", BindSpec(kind: .bind, source: "/src", destination: "/dst", readOnly: false, propagation: "rshared", mode: "rw,rshared")),
            ("/src:/dst:Z,ro,slave", BindSpec(kind: .bind, source: "/src", destination: "/dst", readOnly: true, propagation: "slave", mode: "Z,ro,slave")),
            ("/data", BindSpec(kind: .anonymousVolume, source: "", destination: "/data", readOnly: false, propagation: "rprivate", mode: "")),
            ("vol:/data:nocopy", BindSpec(kind: .namedVolume, source: "vol", destination: "/data", readOnly: false, propagation: "rprivate", mode: "nocopy")),
        ]
        for (raw, expected) in cases { XCTAssertEqual(try BindSpec.parse(raw), expected, raw) }
    }

    func testBindSpecErrors() {
        let cases: [(String, String)] = [
            ("", "invalid volume specification: ''"),
            ("/src:ro", "invalid volume specification: '/src:ro'"),
            ("/a:/b:/c:/d", "invalid volume specification: '/a:/b:/c:/d'"),
            ("/src:/dst:rx", "invalid mode: rx"),
            ("/src:/dst:ro,rw", "invalid mode: ro,rw"),
            ("/src:/dst:shared,slave", "invalid mode: shared,slave"),
            ("/src:dst", "invalid volume specification: '/src:dst': invalid mount config for type \"bind\": invalid mount path: 'dst' mount path must be absolute"),
            ("/src:/", "invalid volume specification: '/src:/': invalid mount config for type \"bind\": invalid specification: destination can't be '/'"),
            ("rel/dir:/mnt", "create rel/dir: \"rel/dir\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"),
            ("./rel:/mnt", "create ./rel: \"./rel\" includes invalid characters for a local volume name, only \"[a-zA-Z0-9][a-zA-Z0-9_.-]\" are allowed. If you intended to pass a host directory, use absolute path"),
        ]
        for (raw, message) in cases {
            assertEngineError(.invalidArgument, message) { _ = try BindSpec.parse(raw) }
        }
    }

    func testDefaultMountsAndOrder() throws {
        let plan = try build(ContainerConfiguration(cmd: ["true"]))
        let destinations = plan.spec.mounts!.map(\.destination)
        XCTAssertEqual(destinations, ["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm",
                                      "/etc/resolv.conf", "/etc/hostname", "/etc/hosts"])
        XCTAssertEqual(plan.spec.mounts![6].options, ["nosuid", "noexec", "nodev", "mode=1777", "size=67108864"])
        XCTAssertEqual(plan.spec.mounts![8], .init(destination: "/etc/hostname", type: "bind", source: "/run/c/hostname",
                                                  options: ["rbind", "rprivate"]))
        var hc = HostConfiguration()
        hc.shmSize = 1 << 30
        let shm = try build(ContainerConfiguration(cmd: ["true"]), hc).spec.mounts!.first { $0.destination == "/dev/shm" }
        XCTAssertEqual(shm?.options?.last, "size=1073741824")
        hc.ipcMode = "none"
        XCTAssertNil(try build(ContainerConfiguration(cmd: ["true"]), hc).spec.mounts!.first { $0.destination == "/dev/shm" })
    }

    func testBindsMountsTmpfs() throws {
        var hc = HostConfiguration()
        hc.binds = ["/srv/a:/a/b:ro", "/srv/missing:/a", "/srv/a:/c:rshared"]
        hc.mounts = [
            .init(type: "bind", source: "/srv/a", target: "/m", readOnly: true, bindOptions: .init(propagation: "rslave", nonRecursive: true)),
            .init(type: "tmpfs", target: "/t", tmpfsOptions: .init(sizeBytes: 3 << 30, mode: 0o700, options: [["exec"]])),
            .init(type: "tmpfs", target: "/t2", readOnly: true, tmpfsOptions: .init(sizeBytes: 1000)),
        ]
        hc.tmpfs = ["/run": "size=64m", "/dev/shm": "size=1g"]
        let plan = try build(ContainerConfiguration(cmd: ["true"]), hc, host: fakeHost(existing: ["/srv/a"]))
        let mounts = Dictionary(uniqueKeysWithValues: plan.spec.mounts!.map { ($0.destination, $0) })
        XCTAssertEqual(mounts["/a/b"]?.options, ["rbind", "ro", "rprivate"])
        XCTAssertEqual(mounts["/a"]?.source, "/srv/missing")
        XCTAssertEqual(mounts["/c"]?.options, ["rbind", "rshared"])
        XCTAssertEqual(mounts["/m"]?.options, ["bind", "ro", "rslave"])
        XCTAssertEqual(mounts["/t"], .init(destination: "/t", type: "tmpfs", source: "tmpfs",
                                          options: ["noexec", "nosuid", "nodev", "rprivate", "mode=700", "size=3g", "exec"]))
        XCTAssertEqual(mounts["/t2"]?.options, ["noexec", "nosuid", "nodev", "rprivate", "ro", "size=1000"])
        XCTAssertEqual(mounts["/run"]?.options, ["noexec", "nosuid", "nodev", "rprivate", "size=64m"])
        // A user mount on /dev/shm replaces Docker's.
        XCTAssertEqual(mounts["/dev/shm"]?.options, ["noexec", "nosuid", "nodev", "rprivate", "size=1g"])
        XCTAssertEqual(plan.spec.mounts!.filter { $0.destination == "/dev/shm" }.count, 1)
        XCTAssertEqual(plan.hostDirectoriesToCreate, ["/srv/missing"])
        // Parents before children: /a is mounted before /a/b.
        let order = plan.spec.mounts!.map(\.destination)
        XCTAssertLessThan(order.firstIndex(of: "/a")!, order.firstIndex(of: "/a/b")!)
    }

    func testMountErrors() {
        let cases: [(String, HostConfiguration.MountRequest)] = [
            ("invalid mount config for type \"bind\": field Target must not be empty", .init(type: "bind", source: "/srv/a", target: "")),
            ("invalid mount config for type \"bind\": invalid specification: destination can't be '/'", .init(type: "bind", source: "/srv/a", target: "/")),
            ("invalid mount config for type \"bind\": invalid mount path: 'x' mount path must be absolute", .init(type: "bind", source: "/srv/a", target: "x")),
            ("invalid mount config for type \"bind\": field Source must not be empty", .init(type: "bind", target: "/x")),
            ("invalid mount config for type \"bind\": invalid mount path: 'rel' mount path must be absolute", .init(type: "bind", source: "rel", target: "/x")),
            ("invalid mount config for type \"bind\": bind source path does not exist: /srv/nope", .init(type: "bind", source: "/srv/nope", target: "/x")),
            ("invalid mount config for type \"bind\": invalid propagation mode: weird",
             .init(type: "bind", source: "/srv/a", target: "/x", bindOptions: .init(propagation: "weird"))),
            ("invalid mount config for type \"tmpfs\": field Source must not be specified", .init(type: "tmpfs", source: "/srv/a", target: "/x")),
            ("invalid mount config for type \"tmpfs\": invalid option: size",
             .init(type: "tmpfs", target: "/x", tmpfsOptions: .init(options: [["size", "1"]]))),
            ("invalid mount config for type \"npipe\": mount type unknown", .init(type: "npipe", source: "x", target: "/x")),
        ]
        for (message, mount) in cases {
            var hc = HostConfiguration()
            hc.mounts = [mount]
            assertEngineError(.invalidArgument, message) {
                _ = try build(ContainerConfiguration(cmd: ["true"]), hc, host: fakeHost(existing: ["/srv/a"]))
            }
        }
        var hc = HostConfiguration()
        hc.binds = ["/srv/a:/x"]
        hc.tmpfs = ["/x": ""]
        assertEngineError(.invalidArgument, "Duplicate mount point: /x") {
            _ = try build(ContainerConfiguration(cmd: ["true"]), hc, host: fakeHost(existing: ["/srv/a"]))
        }
        hc = HostConfiguration()
        hc.tmpfs = ["rel": ""]
        assertEngineError(.invalidArgument, "invalid tmpfs: invalid mount path: 'rel' mount path must be absolute") {
            _ = try build(ContainerConfiguration(cmd: ["true"]), hc)
        }
    }

    func testReadonlyRootfs() throws {
        var hc = HostConfiguration()
        hc.readonlyRootfs = true
        let spec = try build(ContainerConfiguration(cmd: ["true"]), hc).spec
        XCTAssertEqual(spec.root?.readonly, true)
        let options = Dictionary(uniqueKeysWithValues: spec.mounts!.map { ($0.destination, $0.options ?? []) })
        XCTAssertFalse(options["/dev"]!.contains("ro"))
        XCTAssertFalse(options["/dev/shm"]!.contains("ro"))
        XCTAssertEqual(options["/sys"], ["nosuid", "noexec", "nodev", "ro"])
        XCTAssertEqual(options["/etc/hosts"], ["rbind", "ro", "rprivate"])
    }

    func testUserMountOverNetworkFiles() throws {
        var hc = HostConfiguration()
        hc.binds = ["/srv/hosts:/etc/hosts:ro"]
        let mounts = try build(ContainerConfiguration(cmd: ["true"]), hc, host: fakeHost(existing: ["/srv/hosts"])).spec.mounts!
        XCTAssertEqual(mounts.filter { $0.destination == "/etc/hosts" }.map(\.source), ["/srv/hosts"])
    }

    func testIpcHostBindsHostShm() throws {
        var hc = HostConfiguration()
        hc.ipcMode = "host"
        let mounts = try build(ContainerConfiguration(cmd: ["true"]), hc).spec.mounts!
        XCTAssertEqual(mounts.last, .init(destination: "/dev/shm", type: "bind", source: "/dev/shm", options: ["rbind", "rprivate"]))
    }
}
