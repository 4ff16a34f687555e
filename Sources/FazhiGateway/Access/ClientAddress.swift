import GRPCCore

/// The address a call came from, as the audit and sign-in records keep it. Behind a load
/// balancer or ingress every connection comes from the proxy: when the connection's peer
/// is one of `trustedProxies` (IP addresses), the client is the right-most address of
/// `x-forwarded-for` that is not itself a trusted proxy. Anyone else's `x-forwarded-for`
/// is ignored, so a client cannot choose the address it is recorded under.
struct ClientAddress: Sendable {
    let trustedProxies: Set<String>

    func of(peer: String, metadata: Metadata) -> String {
        guard !trustedProxies.isEmpty, let proxy = Self.ip(ofPeer: peer), trustedProxies.contains(proxy) else { return peer }
        var forwarded: [String] = []
        for value in metadata["x-forwarded-for"] {
            guard case .string(let text) = value else { continue }
            forwarded += text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        }
        guard let client = forwarded.reversed().first(where: { !trustedProxies.contains($0) }), Self.isAddress(client) else { return peer }
        return "\(client.contains(":") ? "ipv6" : "ipv4"):\(client) via \(peer)"
    }

    /// "ipv4:10.0.0.5:51234" → "10.0.0.5"; "ipv6:[::1]:51234" → "::1".
    static func ip(ofPeer peer: String) -> String? {
        if peer.hasPrefix("ipv4:") {
            return peer.dropFirst(5).split(separator: ":").first.map(String.init)
        }
        if peer.hasPrefix("ipv6:[") {
            return peer.dropFirst(6).split(separator: "]").first.map(String.init)
        }
        return nil
    }

    /// Only an IP address is kept from a header (no names, no ports, nothing long).
    static func isAddress(_ text: String) -> Bool {
        text.count <= 45 && !text.isEmpty && text.allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" }
    }
}
