import type { HttpRequest } from '@angular/common/http';
import type { HttpTestingController, TestRequest } from '@angular/common/http/testing';

/** The next request that matches, once it is sent: a polling check runs on a timer, not at once. */
export function nextRequest(http: HttpTestingController, match: (request: HttpRequest<unknown>) => boolean): Promise<TestRequest> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      const [request] = http.match(match);
      if (request) {
        clearInterval(poll);
        resolve(request);
      }
    }, 5);
  });
}
