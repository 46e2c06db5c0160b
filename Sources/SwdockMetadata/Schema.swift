/// The versioned layout of the engine's state database. Each migration raises
/// `PRAGMA user_version` by one; never edit a released step, append a new one.
///
/// Layout (version 1):
/// - `containers`: one row per container. `state` and `config` are JSON documents owned by the
///   engine (State as in `docker inspect`, and the create request's Config + HostConfig), so new
///   fields need no migration; columns exist only for what is looked up or kept unique.
/// - `images`: one row per image (ID = config digest), with its manifest digest.
/// - `image_tags` / `image_digests`: the references (`repo:tag`, `repo@sha256:…`) that point at an
///   image; deleting the image deletes them.
///
/// Networks (one migration, self-contained): `networks` (one row per network; `config` is the
/// engine's JSON document), `ip_leases` (UNIQUE (network, address): an address is never handed
/// out twice, across restarts), `network_endpoints` (a container's membership of a network and,
/// while it runs, its address, MAC and published ports).
///
/// Room to grow (later versions): `exec_instances`, `volumes`.
public enum Schema {
    /// The schema version this build writes.
    public static var current: Int { migrations.count }

    public static let migrations: [Migration] = [
        Migration(version: 1, name: "containers, images and image references", sql: """
            CREATE TABLE containers (
                id         TEXT PRIMARY KEY CHECK (length(id) = 64),
                name       TEXT NOT NULL UNIQUE,
                image      TEXT NOT NULL,
                created_ns INTEGER NOT NULL,
                state      TEXT NOT NULL CHECK (json_valid(state)),
                config     TEXT NOT NULL CHECK (json_valid(config))
            ) STRICT;
            CREATE TABLE images (
                id              TEXT PRIMARY KEY,
                manifest_digest TEXT,
                config_digest   TEXT NOT NULL,
                created_ns      INTEGER NOT NULL,
                size            INTEGER NOT NULL DEFAULT 0
            ) STRICT;
            CREATE TABLE image_tags (
                reference TEXT PRIMARY KEY,
                image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
            ) STRICT;
            CREATE INDEX image_tags_by_image ON image_tags(image_id);
            CREATE TABLE image_digests (
                reference TEXT PRIMARY KEY,
                image_id  TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE
            ) STRICT;
            CREATE INDEX image_digests_by_image ON image_digests(image_id);
            """),
        // Self-contained (the lead renumbers at merge): volumes of the local driver.
        Migration(version: 2, name: "volumes", sql: """
            CREATE TABLE volumes (
                name       TEXT PRIMARY KEY,
                driver     TEXT NOT NULL,
                labels     TEXT NOT NULL CHECK (json_valid(labels)),
                options    TEXT NOT NULL CHECK (json_valid(options)),
                anonymous  INTEGER NOT NULL DEFAULT 0,
                created_ns INTEGER NOT NULL
            ) STRICT;
            """),
        Migration(version: 3, name: "networks, IP leases and network endpoints", sql: """
            CREATE TABLE networks (
                id         TEXT PRIMARY KEY CHECK (length(id) = 64),
                name       TEXT NOT NULL UNIQUE,
                created_ns INTEGER NOT NULL,
                config     TEXT NOT NULL CHECK (json_valid(config))
            ) STRICT;
            CREATE TABLE ip_leases (
                network_id TEXT NOT NULL REFERENCES networks(id) ON DELETE CASCADE,
                address    INTEGER NOT NULL,
                owner      TEXT NOT NULL,
                PRIMARY KEY (network_id, address)
            ) STRICT;
            CREATE TABLE network_endpoints (
                container_id TEXT NOT NULL,
                network_id   TEXT NOT NULL REFERENCES networks(id),
                config       TEXT NOT NULL CHECK (json_valid(config)),
                PRIMARY KEY (container_id, network_id)
            ) STRICT;
            CREATE INDEX network_endpoints_by_network ON network_endpoints(network_id);
            """),
    ]
}
