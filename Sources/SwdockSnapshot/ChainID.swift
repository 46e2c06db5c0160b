import SwdockOCI

/// Chain IDs as the OCI image spec defines them: the identity of a layer stack.
///
/// `ChainID(L0) = DiffID(L0)` and `ChainID(L0…Ln) = sha256(ChainID(L0…Ln-1) + " " + DiffID(Ln))`;
/// the engine names the committed snapshot of a stack by its chain ID.
public enum ChainID {
    /// The chain ID of every prefix of `diffIDs` (element i is the chain ID of layers 0…i).
    public static func compute(_ diffIDs: [Digest]) -> [Digest] {
        var chain: [Digest] = []
        for diffID in diffIDs {
            if let below = chain.last {
                chain.append(Digest.sha256(of: Array("\(below) \(diffID)".utf8)))
            } else {
                chain.append(diffID)
            }
        }
        return chain
    }
}
