import SwdockAPI
import SwdockEngine

/// `POST /containers/{id}/update`.
public enum ContainerUpdateRoutes {
    public static func add(to router: inout Router, backend: any ContainerUpdateBackend) {
        router.add(.POST, "/containers/{name*}/update") { request in
            let update = try ContainerUpdateRequest.parse(request.body)
            return try .json(try await backend.updateContainer(request.parameter("name"), request: update))
        }
    }
}

extension ContainerService: ContainerUpdateBackend {
    public func updateContainer(_ id: String, request: ContainerUpdateRequest) async throws -> ContainerUpdateResponse {
        var change = ContainerUpdate()
        change.restartPolicy = request.restartPolicy.map {
            HostConfiguration.RestartPolicy(name: $0.Name, maximumRetryCount: $0.MaximumRetryCount ?? 0)
        }
        change.memory = request.memory
        change.memoryReservation = request.memoryReservation
        change.memorySwap = request.memorySwap
        change.nanoCpus = request.nanoCpus
        change.cpuShares = request.cpuShares
        change.cpuPeriod = request.cpuPeriod
        change.cpuQuota = request.cpuQuota
        change.cpusetCpus = request.cpusetCpus
        change.cpusetMems = request.cpusetMems
        change.pidsLimit = request.pidsLimit
        if let weight = request.blkioWeight {
            guard (10...1000).contains(weight) else { throw APIError.badRequest("invalid BlkioWeight \(weight): the range is 10-1000") }
            change.blkioWeight = UInt16(weight)
        }
        do { try await update(id, change) } catch let error as EngineError { throw error.apiError }
        return ContainerUpdateResponse()
    }
}
