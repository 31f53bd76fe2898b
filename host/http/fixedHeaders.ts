import type http from "node:http";

type Middleware = (req: http.IncomingMessage, res: http.ServerResponse, next: (err?: unknown) => void) => void;

/**
 * The headers a middleware sets on a response to a `method` request, read once by running it on a
 * stand-in request and response. Only for middleware whose headers never depend on the request
 * (helmet without nonces, cors with a fixed origin): a lean route then sets the very same headers as
 * the middleware stack would, without running it for every request.
 */
export function fixedHeaders(middleware: Middleware, method: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    statusCode: 200,
    headersSent: false,
    setHeader(name: string, value: string | number | readonly string[]) {
      headers[name] = Array.isArray(value) ? value.join(", ") : String(value);
      return res;
    },
    getHeader: (name: string) => headers[name],
    removeHeader(name: string) {
      delete headers[name];
    },
    end: () => res,
  };
  let passed = false;
  middleware({ method, headers: {}, url: "/" } as http.IncomingMessage, res as unknown as http.ServerResponse, (err) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
    passed = true;
  });
  // cors ends a preflight itself: its status and length are the lean route's to set.
  if (!passed) delete headers["Content-Length"];
  return headers;
}
