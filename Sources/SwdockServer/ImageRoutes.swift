import SwdockAPI

/// `/images/...`: the routes served through `ImageBackend`.
public enum ImageRoutes {
    public static func add(to router: inout Router, backend: any ImageBackend) {
    }
}
