import Foundation
import SwdockOCI
import XCTest

final class ImageSpecTests: XCTestCase {
    let dockerConfig = #"""
    {"architecture":"amd64","os":"linux","created":"2024-01-01T00:00:00Z",
     "config":{"User":"app","Env":["PATH=/usr/bin","A=b"],"Cmd":["sh"],"Entrypoint":["/init"],"WorkingDir":"/srv",
               "Labels":{"k":"v"},"ExposedPorts":{"80/tcp":{},"53/udp":{}},"Volumes":{"/data":{}},"StopSignal":"SIGQUIT",
               "Healthcheck":{"Test":["CMD","true"],"Interval":30000000000,"Retries":3},"ArgsEscaped":true},
     "rootfs":{"type":"layers","diff_ids":["sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef"]},
     "history":[{"created":"2024-01-01T00:00:00Z","created_by":"/bin/sh -c #(nop) ADD file:x in /"},
                {"created_by":"CMD [\"sh\"]","empty_layer":true}],
     "os.version":"10.0","variant":"v2"}
    """#

    func testDecodesDockerImageConfig() throws {
        let config = try JSONDecoder().decode(ImageConfig.self, from: Data(dockerConfig.utf8))
        XCTAssertEqual(config.architecture, "amd64")
        XCTAssertEqual(config.osVersion, "10.0")
        XCTAssertEqual(config.config?.user, "app")
        XCTAssertEqual(config.config?.env ?? [], ["PATH=/usr/bin", "A=b"])
        XCTAssertEqual(config.config?.entrypoint ?? [], ["/init"])
        XCTAssertEqual(config.config?.cmd ?? [], ["sh"])
        XCTAssertEqual(config.config?.workingDir, "/srv")
        XCTAssertEqual(config.config?.labels, ["k": "v"])
        XCTAssertEqual(Set(config.config?.exposedPorts?.keys ?? [:].keys), ["80/tcp", "53/udp"])
        XCTAssertEqual(Array(config.config?.volumes?.keys ?? [:].keys), ["/data"])
        XCTAssertEqual(config.config?.stopSignal, "SIGQUIT")
        XCTAssertEqual(config.config?.healthcheck?.interval, 30_000_000_000)
        XCTAssertEqual(config.rootfs.diffIDs.count, 1)
        XCTAssertEqual(config.history?[1].emptyLayer, true)
        XCTAssertEqual(config.platform.description, "linux/amd64/v2")
        // Round trip keeps the Go-style keys.
        let encoded = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        XCTAssertTrue(encoded.contains("\"diff_ids\""))
        XCTAssertTrue(encoded.contains("\"ExposedPorts\":{"))
        XCTAssertTrue(encoded.contains("\"os.version\""))
        XCTAssertEqual(try JSONDecoder().decode(ImageConfig.self, from: Data(encoded.utf8)), config)
    }

    func testClassifiesManifests() {
        let index = #"{"schemaVersion":2,"manifests":[]}"#
        let manifest = #"{"schemaVersion":2,"config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:5f70bf18a086007016e948b04aed3b82103a36bea41755b6cddfaf10ace3c6ef","size":2},"layers":[]}"#
        let schema1 = #"{"schemaVersion":1,"name":"x","tag":"latest","fsLayers":[]}"#
        XCTAssertEqual(ManifestKind.classify(contentType: nil, body: Array(index.utf8))?.kind, .index)
        XCTAssertEqual(ManifestKind.classify(contentType: nil, body: Array(manifest.utf8))?.kind, .manifest)
        XCTAssertEqual(ManifestKind.classify(contentType: nil, body: Array(schema1.utf8))?.kind, .schema1)
        XCTAssertEqual(ManifestKind.classify(contentType: MediaType.dockerManifestList + "; charset=utf-8",
                                             body: Array(index.utf8))?.mediaType, MediaType.dockerManifestList)
        XCTAssertEqual(ManifestKind.classify(contentType: MediaType.dockerSchema1SignedManifest, body: [])?.kind, .schema1)
        XCTAssertNil(ManifestKind.classify(contentType: "text/html", body: Array("<html>".utf8)))
        XCTAssertTrue(MediaType.isLayer(MediaType.dockerLayerGzip))
        XCTAssertTrue(MediaType.isLayer(MediaType.ociLayerZstd))
        XCTAssertFalse(MediaType.isLayer(MediaType.ociConfig))
    }
}
