/// A PostgreSQL type, by its OID, with the name used in error messages.
public struct PostgresDataType: Hashable, Sendable, CustomStringConvertible {
    public let oid: UInt32

    public init(oid: UInt32) { self.oid = oid }

    public static let unspecified = PostgresDataType(oid: 0)
    public static let bool = PostgresDataType(oid: 16)
    public static let bytea = PostgresDataType(oid: 17)
    public static let char = PostgresDataType(oid: 18)
    public static let name = PostgresDataType(oid: 19)
    public static let int8 = PostgresDataType(oid: 20)
    public static let int2 = PostgresDataType(oid: 21)
    public static let int4 = PostgresDataType(oid: 23)
    public static let text = PostgresDataType(oid: 25)
    public static let oidType = PostgresDataType(oid: 26)
    public static let json = PostgresDataType(oid: 114)
    public static let float4 = PostgresDataType(oid: 700)
    public static let float8 = PostgresDataType(oid: 701)
    public static let bpchar = PostgresDataType(oid: 1042)
    public static let varchar = PostgresDataType(oid: 1043)
    public static let date = PostgresDataType(oid: 1082)
    public static let timestamp = PostgresDataType(oid: 1114)
    public static let timestamptz = PostgresDataType(oid: 1184)
    public static let numeric = PostgresDataType(oid: 1700)
    public static let uuid = PostgresDataType(oid: 2950)
    public static let jsonb = PostgresDataType(oid: 3802)
    public static let boolArray = PostgresDataType(oid: 1000)
    public static let int2Array = PostgresDataType(oid: 1005)
    public static let int4Array = PostgresDataType(oid: 1007)
    public static let textArray = PostgresDataType(oid: 1009)
    public static let varcharArray = PostgresDataType(oid: 1015)
    public static let int8Array = PostgresDataType(oid: 1016)
    public static let uuidArray = PostgresDataType(oid: 2951)
    public static let byteaArray = PostgresDataType(oid: 1001)

    private static let names: [UInt32: String] = [
        0: "unspecified", 16: "boolean", 17: "bytea", 18: "\"char\"", 19: "name", 20: "bigint",
        21: "smallint", 23: "integer", 25: "text", 26: "oid", 114: "json", 700: "real",
        701: "double precision", 1042: "character", 1043: "character varying", 1082: "date",
        1114: "timestamp", 1184: "timestamptz", 1700: "numeric", 2950: "uuid", 3802: "jsonb",
        1000: "boolean[]", 1005: "smallint[]", 1007: "integer[]", 1009: "text[]",
        1015: "character varying[]", 1016: "bigint[]", 2951: "uuid[]",
    ]

    public var description: String { Self.names[oid] ?? "type oid \(oid)" }
}

/// How a parameter travels: binary for nearly everything; text where the server's own
/// parser is the exact and simpler path (numeric).
public enum PostgresFormat: Int32, Sendable {
    case text = 0
    case binary = 1
}
