import { LogController, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * fastify's per-request log lines, with the two that every request writes — "incoming request"
 * and "request completed" — at `debug` instead of `info`. Serialising and writing them cost more
 * CPU than inferring a small image, so at the default level (`info`) a healthy server logs
 * nothing per request; error responses are still logged by our error handler (4xx at info, 5xx
 * at error), and a response that fails to be sent still logs "request errored" at error.
 *
 * @example
 * ```ts
 * Fastify({ logger: { level: 'info' }, logController: new RequestLogController() });
 * ```
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    if (this.isLogDisabled(request)) return;
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    if (error) return super.requestCompleted(error, request, reply);
    if (this.isLogDisabled(request)) return;
    reply.log.debug({ res: reply, responseTime: reply.elapsedTime }, 'request completed');
  }
}
