import SwdockCgroups
import XCTest

final class CgroupVersionTests: XCTestCase {
    func testHybridHostIsV1AndUnifiedHostIsV2() {
        let hybrid = """
            30 25 0:26 / /sys/fs/cgroup ro,nosuid shared:9 - tmpfs tmpfs ro,mode=755
            33 30 0:29 / /sys/fs/cgroup/unified rw shared:10 - cgroup2 cgroup2 rw
            34 30 0:30 / /sys/fs/cgroup/memory rw shared:11 - cgroup cgroup rw,memory
            """
        XCTAssertEqual(CgroupVersion.detect(mountinfo: hybrid), .v1)
        let unified = "30 25 0:26 / /sys/fs/cgroup rw,nosuid shared:4 - cgroup2 cgroup2 rw,nsdelegate"
        XCTAssertEqual(CgroupVersion.detect(mountinfo: unified), .v2)
    }
}
