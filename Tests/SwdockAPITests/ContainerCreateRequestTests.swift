import XCTest
import SwdockOCI
@testable import SwdockAPI

final class ContainerCreateRequestTests: XCTestCase {
    /// The body docker CLI 28.2.2 sent at API 1.41 for `docker run --rm busybox echo hi`
    /// (docs: shared/research/docker-api-trace.md §4.5), including keys of newer API versions.
    static let cliBody = #"""
    {"Hostname":"","Domainname":"","User":"","AttachStdin":false,"AttachStdout":true,"AttachStderr":true,
     "Tty":false,"OpenStdin":false,"StdinOnce":false,"Env":null,"Cmd":["echo","hi"],
     "Image":"localhost:5000/busybox:latest","Volumes":{},"WorkingDir":"","Entrypoint":null,"OnBuild":null,"Labels":{},
     "HostConfig":{"Binds":null,"ContainerIDFile":"","LogConfig":{"Type":"","Config":{}},"NetworkMode":"default",
       "PortBindings":{},"RestartPolicy":{"Name":"no","MaximumRetryCount":0},"AutoRemove":true,"VolumeDriver":"",
       "VolumesFrom":null,"ConsoleSize":[0,0],"CapAdd":null,"CapDrop":null,"CgroupnsMode":"","Dns":[],"DnsOptions":[],
       "DnsSearch":[],"ExtraHosts":null,"GroupAdd":null,"IpcMode":"","Cgroup":"","Links":null,"OomScoreAdj":0,"PidMode":"",
       "Privileged":false,"PublishAllPorts":false,"ReadonlyRootfs":false,"SecurityOpt":null,"UTSMode":"","UsernsMode":"",
       "ShmSize":0,"Isolation":"","CpuShares":0,"Memory":0,"NanoCpus":0,"CgroupParent":"","BlkioWeight":0,
       "BlkioWeightDevice":[],"BlkioDeviceReadBps":[],"BlkioDeviceWriteBps":[],"BlkioDeviceReadIOps":[],
       "BlkioDeviceWriteIOps":[],"CpuPeriod":0,"CpuQuota":0,"CpuRealtimePeriod":0,"CpuRealtimeRuntime":0,"CpusetCpus":"",
       "CpusetMems":"","Devices":[],"DeviceCgroupRules":null,"DeviceRequests":null,"MemoryReservation":0,"MemorySwap":0,
       "MemorySwappiness":-1,"OomKillDisable":false,"PidsLimit":0,"Ulimits":[],"CpuCount":0,"CpuPercent":0,
       "IOMaximumIOps":0,"IOMaximumBandwidth":0,"MaskedPaths":null,"ReadonlyPaths":null},
     "NetworkingConfig":{"EndpointsConfig":{"default":{"IPAMConfig":null,"Links":null,"Aliases":null,"MacAddress":"",
       "DriverOpts":null,"GwPriority":0,"NetworkID":"","EndpointID":"","Gateway":"","IPAddress":"","IPPrefixLen":0,
       "IPv6Gateway":"","GlobalIPv6Address":"","GlobalIPv6PrefixLen":0,"DNSNames":null}}}}
    """#

    func testDockerCLIBody() throws {
        let request = try ContainerCreateRequest.decode(Array(Self.cliBody.utf8))
        XCTAssertEqual(request.cmd, ["echo", "hi"])
        XCTAssertNil(request.entrypoint)
        XCTAssertNil(request.env)
        XCTAssertEqual(request.image, "localhost:5000/busybox:latest")
        XCTAssertEqual(request.attachStdout, true)
        XCTAssertEqual(request.labels, [:])
        let host = try XCTUnwrap(request.hostConfig)
        XCTAssertEqual(host.autoRemove, true)
        XCTAssertEqual(host.networkMode, "default")
        XCTAssertEqual(host.restartPolicy, .init(name: "no", maximumRetryCount: 0))
        XCTAssertEqual(host.memorySwappiness, -1)
        XCTAssertEqual(host.consoleSize, [0, 0])
        XCTAssertEqual(host.logConfig, .init(type: "", config: [:]))
        XCTAssertEqual(host.ulimits, [])
        XCTAssertNotNil(request.networkingConfig?.endpointsConfig?["default"] ?? nil)
    }

    func testDockerPyBody() throws {
        let body = #"{"Tty": false, "OpenStdin": false, "StdinOnce": false, "AttachStdin": false, "AttachStdout": true, "AttachStderr": true, "Cmd": ["sh", "-c", "echo hi; echo err >&2"], "Image": "localhost:5000/busybox:latest", "NetworkDisabled": false, "HostConfig": {"NetworkMode": "default"}}"#
        let request = try ContainerCreateRequest.decode(Array(body.utf8))
        XCTAssertEqual(request.cmd?.values, ["sh", "-c", "echo hi; echo err >&2"])
        XCTAssertEqual(request.networkDisabled, false)
        XCTAssertEqual(request.hostConfig?.networkMode, "default")
        XCTAssertNil(request.hostConfig?.memory)
        XCTAssertNil(request.networkingConfig)
    }

    func testFullHostConfigRoundTrip() throws {
        let body = #"""
        {"Entrypoint":"/bin/sh","Cmd":"echo hi","User":"app:app","Env":["A=1"],"ExposedPorts":{"80/tcp":{}},
         "StopSignal":"SIGQUIT","StopTimeout":5,"Healthcheck":{"Test":["CMD","true"],"Interval":1000000000},
         "HostConfig":{"Binds":["/a:/b:ro"],"Mounts":[{"Type":"tmpfs","Target":"/t","TmpfsOptions":{"SizeBytes":1048576,"Mode":1016}},
           {"Type":"bind","Source":"/s","Target":"/d","ReadOnly":true,"BindOptions":{"Propagation":"rslave","NonRecursive":true}}],
           "Tmpfs":{"/run":"size=1m"},"Ulimits":[{"Name":"nofile","Soft":1024,"Hard":2048}],"CapAdd":"NET_ADMIN",
           "CapDrop":["ALL"],"SecurityOpt":["no-new-privileges"],"Sysctls":{"net.ipv4.ip_forward":"1"},"Init":true,
           "PidsLimit":100,"MemorySwap":-1,"Memory":67108864,"NanoCpus":1500000000,"OomKillDisable":null,
           "PortBindings":{"80/tcp":[{"HostIp":"","HostPort":"8080"}]},"Devices":[{"PathOnHost":"/dev/kvm","PathInContainer":"/dev/kvm","CgroupPermissions":"rwm"}]}}
        """#
        let request = try ContainerCreateRequest.decode(Array(body.utf8))
        XCTAssertEqual(request.entrypoint, ["/bin/sh"])
        XCTAssertEqual(request.cmd, ["echo hi"])
        XCTAssertEqual(request.healthcheck?.test, ["CMD", "true"])
        let host = try XCTUnwrap(request.hostConfig)
        XCTAssertEqual(host.capAdd, ["NET_ADMIN"])
        XCTAssertEqual(host.mounts?[0].tmpfsOptions?.mode, 0o1770)
        XCTAssertEqual(host.mounts?[1].bindOptions?.nonRecursive, true)
        XCTAssertEqual(host.initProcess, true)
        XCTAssertNil(host.oomKillDisable)
        XCTAssertEqual(host.portBindings?["80/tcp"]??.first?.hostPort, "8080")
        XCTAssertEqual(host.ulimits, [.init(name: "nofile", soft: 1024, hard: 2048)])
        // What we encode decodes to the same request (the wire names are stable).
        let again = try ContainerCreateRequest.decode(Array(try JSONEncoder().encode(request)))
        XCTAssertEqual(again, request)
    }

    func testWrongTypesAreRejectedWithTheField() {
        let cases: [(String, String)] = [
            (#"{"HostConfig":{"Memory":"64m"}}"#,
             "json: cannot unmarshal string into Go struct field ContainerCreateRequest.HostConfig.Memory of type int64"),
            (#"{"Cmd":[1,2]}"#, "json: cannot unmarshal number into Go struct field ContainerCreateRequest.Cmd[0] of type string"),
            (#"{"Tty":"yes"}"#, "json: cannot unmarshal string into Go struct field ContainerCreateRequest.Tty of type bool"),
            (#"{"HostConfig":{"Binds":"/a:/b"}}"#,
             "json: cannot unmarshal string into Go struct field ContainerCreateRequest.HostConfig.Binds of type array"),
            (#"{"HostConfig":{"Ulimits":[{"Name":"nofile","Soft":"x"}]}}"#,
             "json: cannot unmarshal string into Go struct field ContainerCreateRequest.HostConfig.Ulimits[0].Soft of type int64"),
        ]
        for (body, message) in cases {
            XCTAssertThrowsError(try ContainerCreateRequest.decode(Array(body.utf8)), body) { error in
                XCTAssertEqual((error as? APIError)?.status, 400)
                XCTAssertEqual((error as? APIError)?.message, message)
            }
        }
        XCTAssertThrowsError(try ContainerCreateRequest.decode(Array("{\"Image\":".utf8))) { error in
            XCTAssertEqual((error as? APIError)?.status, 400)
            XCTAssertTrue((error as? APIError)?.message.hasPrefix("invalid JSON") == true, "\(error)")
        }
        XCTAssertThrowsError(try ContainerCreateRequest.decode([])) { error in
            XCTAssertEqual((error as? APIError)?.message, "config cannot be empty in order to create a container")
        }
    }

    func testUnknownFieldsAreIgnored() throws {
        let body = #"{"Image":"x","FutureField":{"a":[1,2,3]},"HostConfig":{"NewThing":true}}"#
        XCTAssertEqual(try ContainerCreateRequest.decode(Array(body.utf8)).image, "x")
    }
}
