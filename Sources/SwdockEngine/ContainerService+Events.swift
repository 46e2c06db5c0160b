import SwdockMetadata

extension ContainerService {
    /// Publishes a container event with dockerd's attributes: the container's labels, then
    /// `name` (without the slash), `image` (as the user named it) and `extra` (exitCode, signal…).
    func emit(_ action: String, id: String, name: String, image: String, labels: [String: String]?,
              extra: [String: String] = [:]) {
        var attributes = labels ?? [:]
        attributes["name"] = name.hasPrefix("/") ? String(name.dropFirst()) : name
        attributes["image"] = image
        for (key, value) in extra { attributes[key] = value }
        events.publish(type: "container", action: action, actorID: id, attributes: attributes)
    }

    func emit(_ action: String, _ container: Loaded, extra: [String: String] = [:]) {
        emit(action, id: container.id, name: container.record.name, image: container.document.Config.image,
             labels: container.document.Config.labels, extra: extra)
    }

    /// Publishes an event of `id` as its record is now (nothing when it is gone).
    func emit(_ action: String, id: String, extra: [String: String] = [:]) {
        guard let container = try? reload(id) else { return }
        emit(action, container, extra: extra)
    }
}
