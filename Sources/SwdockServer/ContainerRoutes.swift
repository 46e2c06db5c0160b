import SwdockAPI

/// `/containers/...`: the routes served through `ContainerBackend`.
public enum ContainerRoutes {
    public static func add(to router: inout Router, backend: any ContainerBackend) {
    }
}
