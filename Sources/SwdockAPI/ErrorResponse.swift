/// The body of every Engine API error: `{"message": "…"}`.
public struct ErrorResponse: Codable, Sendable, Equatable {
    public var message: String
    public init(message: String) { self.message = message }
}
