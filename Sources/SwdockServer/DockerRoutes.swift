import NIOHTTP1

/// dockerd 20.10's route table (api/server/router/*), so that a known Docker endpoint swdockd
/// does not serve yet answers 501 "not supported: …" instead of looking like a typo (404).
/// Served routes are added before these, so they take precedence.
enum DockerRoutes {
    static let all: [(HTTPMethod, String)] = [
        // system
        (.GET, "/events"), (.GET, "/system/df"), (.POST, "/auth"),
        // containers
        (.GET, "/containers/json"), (.GET, "/containers/{name*}/export"), (.GET, "/containers/{name*}/changes"),
        (.GET, "/containers/{name*}/json"), (.GET, "/containers/{name*}/top"), (.GET, "/containers/{name*}/logs"),
        (.GET, "/containers/{name*}/stats"), (.GET, "/containers/{name*}/attach/ws"), (.GET, "/exec/{id*}/json"),
        (.GET, "/containers/{name*}/archive"), (.HEAD, "/containers/{name*}/archive"),
        (.POST, "/containers/create"), (.POST, "/containers/{name*}/kill"), (.POST, "/containers/{name*}/pause"),
        (.POST, "/containers/{name*}/unpause"), (.POST, "/containers/{name*}/restart"),
        (.POST, "/containers/{name*}/start"), (.POST, "/containers/{name*}/stop"), (.POST, "/containers/{name*}/wait"),
        (.POST, "/containers/{name*}/resize"), (.POST, "/containers/{name*}/attach"), (.POST, "/containers/{name*}/exec"),
        (.POST, "/exec/{name*}/start"), (.POST, "/exec/{name*}/resize"), (.POST, "/containers/{name*}/rename"),
        (.POST, "/containers/{name*}/update"), (.POST, "/containers/prune"), (.POST, "/commit"),
        (.PUT, "/containers/{name*}/archive"), (.DELETE, "/containers/{name*}"),
        // images
        (.GET, "/images/json"), (.GET, "/images/search"), (.GET, "/images/get"), (.GET, "/images/{name*}/get"),
        (.GET, "/images/{name*}/history"), (.GET, "/images/{name*}/json"), (.POST, "/images/load"),
        (.POST, "/images/create"), (.POST, "/images/{name*}/push"), (.POST, "/images/{name*}/tag"),
        (.POST, "/images/prune"), (.DELETE, "/images/{name*}"),
        // build
        (.POST, "/build"), (.POST, "/build/prune"), (.POST, "/build/cancel"), (.POST, "/session"),
        // networks
        (.GET, "/networks"), (.GET, "/networks/"), (.GET, "/networks/{id*}"), (.POST, "/networks/create"),
        (.POST, "/networks/{id*}/connect"), (.POST, "/networks/{id*}/disconnect"), (.POST, "/networks/prune"),
        (.DELETE, "/networks/{id*}"),
        // volumes
        (.GET, "/volumes"), (.GET, "/volumes/{name*}"), (.POST, "/volumes/create"), (.POST, "/volumes/prune"),
        (.DELETE, "/volumes/{name*}"),
        // distribution, plugins
        (.GET, "/distribution/{name*}/json"), (.GET, "/plugins"), (.GET, "/plugins/{name*}/json"),
        (.GET, "/plugins/privileges"), (.DELETE, "/plugins/{name*}"), (.POST, "/plugins/{name*}/enable"),
        (.POST, "/plugins/{name*}/disable"), (.POST, "/plugins/pull"), (.POST, "/plugins/{name*}/push"),
        (.POST, "/plugins/{name*}/upgrade"), (.POST, "/plugins/{name*}/set"), (.POST, "/plugins/create"),
        // swarm
        (.GET, "/swarm"), (.GET, "/swarm/unlockkey"), (.POST, "/swarm/init"), (.POST, "/swarm/join"),
        (.POST, "/swarm/leave"), (.POST, "/swarm/update"), (.POST, "/swarm/unlock"),
        (.GET, "/services"), (.GET, "/services/{id}"), (.POST, "/services/create"), (.POST, "/services/{id}/update"),
        (.DELETE, "/services/{id}"), (.GET, "/services/{id}/logs"), (.GET, "/nodes"), (.GET, "/nodes/{id}"),
        (.DELETE, "/nodes/{id}"), (.POST, "/nodes/{id}/update"), (.GET, "/tasks"), (.GET, "/tasks/{id}"),
        (.GET, "/tasks/{id}/logs"), (.GET, "/secrets"), (.POST, "/secrets/create"), (.DELETE, "/secrets/{id}"),
        (.GET, "/secrets/{id}"), (.POST, "/secrets/{id}/update"), (.GET, "/configs"), (.POST, "/configs/create"),
        (.DELETE, "/configs/{id}"), (.GET, "/configs/{id}"), (.POST, "/configs/{id}/update"),
        // checkpoints (experimental in dockerd)
        (.GET, "/containers/{name*}/checkpoints"), (.POST, "/containers/{name*}/checkpoints"),
        (.DELETE, "/containers/{name}/checkpoints/{checkpoint}"),
    ]
}
