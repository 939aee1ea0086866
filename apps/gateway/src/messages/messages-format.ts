import type { ChatCompletionRequest } from '@iir/contracts';
import type { IncomingHttpHeaders } from 'node:http';
import type { NativeRoute, ResponseFormat } from '../chat/response-format';
import { AnthropicAdapter } from '../providers/anthropic/anthropic.adapter';
import type { UpstreamCall } from '../providers/provider';
import type { MessagesRequest } from './messages-request';
import { toAnthropicMessage } from './messages-response';
import { MessagesStreamEncoder } from './messages-stream';

/** Client headers an Anthropic upstream gets as they were sent. */
const PASSED_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

/**
 * `POST /v1/messages` as a response format. To an Anthropic upstream the client's body goes as it
 * is (only `model` becomes the target's id) and the answer comes back as Anthropic sent it, events
 * included; every other upstream gets the translated chat request, and its answer is translated
 * back. The cache keys on the client's body (fields the translation drops still tell two requests
 * apart).
 */
export function messagesFormat(request: MessagesRequest, headers: IncomingHttpHeaders): ResponseFormat {
  const passed = passedHeaders(headers);
  const native: NativeRoute = {
    handles: (adapter) => adapter instanceof AnthropicAdapter,
    complete: async (adapter, call) => (adapter as AnthropicAdapter).relayJson(call, relayedBody(request, call), passed),
    stream: async (adapter, call) => ({ native: await (adapter as AnthropicAdapter).relayStream(call, relayedBody(request, call), passed) }),
  };
  return {
    surface: 'messages',
    json: (response) => toAnthropicMessage(response, request.chat.model),
    encoder: (body: ChatCompletionRequest) => new MessagesStreamEncoder(body),
    cacheBody: request.raw as unknown as ChatCompletionRequest,
    native,
  };
}

/** `anthropic-version` and `anthropic-beta` as the client sent them (the version overrides IIR's default). */
export function passedHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const passed: Record<string, string> = {};
  for (const name of PASSED_HEADERS) {
    const value = headers[name];
    const text = Array.isArray(value) ? value.join(',') : value;
    if (text) passed[name] = text;
  }
  return passed;
}

function relayedBody(request: MessagesRequest, call: UpstreamCall): string {
  return JSON.stringify({ ...request.raw, model: call.target.upstreamModel });
}
