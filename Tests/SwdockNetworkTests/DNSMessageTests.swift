import SwdockNetwork
import XCTest

/// The DNS codec on hand-made and hostile input: it must parse what resolvers send, follow
/// compression pointers, and reject (never crash on, never loop on) anything malformed.
final class DNSMessageTests: XCTestCase {
    /// `dig`'s query for `web.example` A with an EDNS OPT record, as captured bytes.
    private let digQuery: [UInt8] = [
        0x12, 0x34, 0x01, 0x20, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01,
        0x03, 0x77, 0x65, 0x62, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x00, 0x00, 0x01, 0x00, 0x01,
        0x00, 0x00, 0x29, 0x04, 0xd0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    func testParsesAQueryWithEDNS() throws {
        let message = try DNSMessage.parse(digQuery)
        XCTAssertEqual(message.id, 0x1234)
        XCTAssertFalse(message.isResponse)
        XCTAssertTrue(message.recursionDesired)
        XCTAssertEqual(message.questions, [DNSQuestion(name: DNSName("web.example")!, type: DNSType.a)])
        XCTAssertEqual(message.additionals.first?.type, DNSType.opt)
        XCTAssertEqual(message.udpPayloadLimit, 1232)
    }

    func testRoundTripCompressesRepeatedNames() throws {
        let name = DNSName("db.corp.example")!
        var response = DNSMessage.response(to: .query(id: 7, name: name, type: DNSType.a), code: DNSResponseCode.noError,
                                           answers: [DNSRecord(name: name, type: DNSType.a, ttl: 600, data: .a(0x0A00_0002)),
                                                     DNSRecord(name: name, type: DNSType.a, ttl: 600, data: .a(0x0A00_0003))])
        response.answers.append(DNSRecord(name: DNSName("2.0.0.10.in-addr.arpa")!, type: DNSType.ptr, ttl: 600,
                                          data: .ptr(DNSName("db.corp.example")!)))
        let bytes = response.encoded()
        // Each answer name is a 2-byte pointer to the question's name; the PTR target is one too.
        XCTAssertEqual(bytes.count, 12 + 17 + 4 + (2 + 10 + 4) * 2 + (23 + 10 + 2))
        let parsed = try DNSMessage.parse(bytes)
        XCTAssertEqual(parsed.answers.map(\.data), [.a(0x0A00_0002), .a(0x0A00_0003), .ptr(DNSName("db.corp.example")!)])
        XCTAssertEqual(parsed.answers[0].name.text, "db.corp.example")
        XCTAssertTrue(parsed.isResponse)
        XCTAssertEqual(parsed.responseCode, DNSResponseCode.noError)
        XCTAssertEqual(parsed.id, 7)
    }

    func testRejectsCompressionLoopsAndForwardPointers() {
        var header: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        // A pointer to itself.
        XCTAssertThrowsError(try DNSMessage.parse(header + [0xC0, 12, 0, 1, 0, 1]))
        // A pointer ahead of itself.
        XCTAssertThrowsError(try DNSMessage.parse(header + [0xC0, 14, 0, 1, 0, 1, 0]))
        // Two labels pointing at each other through a backwards pointer: a -> pointer back to a.
        XCTAssertThrowsError(try DNSMessage.parse(header + [1, 0x61, 0xC0, 12, 0, 1, 0, 1]))
        // An answer whose name points back into a loop made of earlier pointers.
        header[7] = 1
        XCTAssertThrowsError(try DNSMessage.parse(header + [1, 0x61, 0, 0, 1, 0, 1] + [0xC0, 19, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]))
    }

    func testRejectsTruncatedAndInconsistentInput() {
        let valid = digQuery
        for length in 0..<valid.count {
            XCTAssertThrowsError(try DNSMessage.parse(Array(valid.prefix(length))), "prefix of \(length) bytes")
        }
        // Counts that promise more than the bytes hold.
        var lying = valid
        lying[5] = 0xFF
        XCTAssertThrowsError(try DNSMessage.parse(lying))
        // An A record with 3 bytes of data, a label type 0x40, a 64-byte label run past the end.
        let header: [UInt8] = [0, 1, 0x81, 0x80, 0, 0, 0, 1, 0, 0, 0, 0]
        XCTAssertThrowsError(try DNSMessage.parse(header + [0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 3, 1, 2, 3]))
        XCTAssertThrowsError(try DNSMessage.parse([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0x41, 0, 0, 1, 0, 1]))
        XCTAssertThrowsError(try DNSMessage.parse([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 63, 0x61, 0, 0, 1, 0, 1]))
    }

    func testRejectsNamesOver255Bytes() {
        var bytes: [UInt8] = [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0]
        for _ in 0..<5 { bytes += [63] + [UInt8](repeating: 0x61, count: 63) }
        bytes += [0, 0, 1, 0, 1]
        XCTAssertThrowsError(try DNSMessage.parse(bytes))
        XCTAssertNil(DNSName(String(repeating: "a", count: 64)))
        XCTAssertNil(DNSName("a..b"))
    }

    func testRandomBytesNeverCrash() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            var bytes = (0..<Int.random(in: 0...80, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if bytes.count > 12 { bytes[4] = 0; bytes[5] = 1 }
            _ = try? DNSMessage.parse(bytes)
        }
        // Mutations of a valid message.
        for _ in 0..<20_000 {
            var bytes = digQuery
            bytes[Int.random(in: 0..<bytes.count)] = UInt8.random(in: 0...255)
            if let message = try? DNSMessage.parse(bytes) { _ = message.encoded() }
        }
    }

    func testLocalAnswers() throws {
        let view = DNSView(names: ["web": [0x0A00_0002], "web.n1": [0x0A00_0002]], reverse: [0x0A00_0002: "web.n1"],
                           searchDomains: ["corp.example"], upstreams: [DNSUpstream(address: 0x7F00_3535)])
        func ask(_ name: String, _ type: UInt16) throws -> DNSMessage? {
            try view.localAnswer(to: .query(id: 9, name: DNSName(name)!, type: type), limit: 512).map { try DNSMessage.parse($0) }
        }
        XCTAssertEqual(try ask("WEB.", DNSType.a)?.answers.map(\.data), [.a(0x0A00_0002)])
        XCTAssertEqual(try ask("web.corp.example", DNSType.a)?.answers.map(\.data), [.a(0x0A00_0002)])
        let aaaa = try XCTUnwrap(try ask("web", DNSType.aaaa))
        XCTAssertEqual(aaaa.responseCode, DNSResponseCode.noError)
        XCTAssertTrue(aaaa.answers.isEmpty)
        XCTAssertEqual(try ask("2.0.0.10.in-addr.arpa", DNSType.ptr)?.answers.map(\.data), [.ptr(DNSName("web.n1")!)])
        XCTAssertNil(try ask("other", DNSType.a), "not ours: forwarded")
        XCTAssertNil(try ask("3.0.0.10.in-addr.arpa", DNSType.ptr))
        XCTAssertNil(try ask("web.other.example", DNSType.a))
    }

    func testOversizedUDPAnswerIsTruncated() throws {
        let many = (0..<60).map { UInt32(0x0A00_0000) + $0 }
        let view = DNSView(names: ["big": many])
        let query = DNSMessage.query(id: 3, name: DNSName("big")!, type: DNSType.a)
        let udp = try DNSMessage.parse(try XCTUnwrap(view.localAnswer(to: query, limit: 512)))
        XCTAssertTrue(udp.isTruncated)
        XCTAssertTrue(udp.answers.isEmpty)
        let tcp = try DNSMessage.parse(try XCTUnwrap(view.localAnswer(to: query, limit: nil)))
        XCTAssertFalse(tcp.isTruncated)
        XCTAssertEqual(tcp.answers.count, 60)
        // Two questions, or another opcode: answered with FORMERR / NOTIMP, not forwarded.
        var two = query
        two.questions.append(two.questions[0])
        XCTAssertEqual(try DNSMessage.parse(try XCTUnwrap(view.localAnswer(to: two, limit: 512))).responseCode, DNSResponseCode.formatError)
        var notify = query
        notify.flags |= 4 << 11
        XCTAssertEqual(try DNSMessage.parse(try XCTUnwrap(view.localAnswer(to: notify, limit: 512))).responseCode, DNSResponseCode.notImplemented)
    }
}
