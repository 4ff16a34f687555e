import FazhiRules
import FazhiUseCases
import FazhiWire
import Hummingbird

/// What every portal request passes first: text with a NUL character in its path or query
/// is refused with 400 (nothing downstream could store or match it), and a domain error
/// thrown by a page becomes the HTTP status it means (404 for an entry that does not
/// exist, 400 for a bad parameter) instead of a server error.
struct PortalGuard<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let path = request.uri.path.removingPercentEncoding ?? request.uri.path
        guard !path.utf8.contains(0), !request.uri.queryParameters.contains(where: { $0.key.utf8.contains(0) || $0.value.utf8.contains(0) }) else {
            throw HTTPError(.badRequest, message: "the request contains a NUL character")
        }
        do {
            return try await next(request, context)
        } catch let error as DomainError {
            switch error.reason {
            case .notFound: throw HTTPError(.notFound, message: error.messageEN)
            case .invalidArgument: throw HTTPError(.badRequest, message: error.messageEN)
            default: throw error
            }
        }
    }
}
