import CLibPQ

func PQexecRollback(_ connection: OpaquePointer) -> OpaquePointer? { PQexec(connection, "ROLLBACK") }
func PQclearResult(_ result: OpaquePointer?) { if let result { PQclear(result) } }
