import { BusError, isAutoModel, isLocalTarget, ROUTE_PINS, type PlanResponse, type RoutePin } from '@iir/contracts';
import { Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { modelAccess, type ModelAccess } from '../auth/model-access';
import type { CacheMeta } from '../cache/cached-response';
import { ApiError } from '../errors/api-error';
import { ModelsCatalog } from '../models/models-catalog.service';
import type { ChatExchange } from './chat-exchange';

/**
 * What the key and the request's pin allow, applied at every step that could widen it: on what the
 * request names (before the cache and the plan), on a stored answer, and on the plan's targets. A
 * header or a `models` list only ever narrows what the key may do.
 */
@Injectable()
export class KeyAccess {
  constructor(private readonly models: ModelsCatalog) {}

  /**
   * The key's allow-list on the model (except `auto`, whose plan is narrowed instead) and every
   * entry of `models`, by name or by the registry name an alias stands for; then the pin.
   */
  async check(exchange: ChatExchange): Promise<void> {
    const { body, principal } = exchange;
    const access = modelAccess(principal.allowedModels);
    if (!access.unrestricted) {
      const allowed = async (name: string): Promise<boolean> => {
        if (access.allows(name)) return true;
        const canonical = await this.models.canonicalName(name);
        return canonical !== undefined && access.allows(canonical);
      };
      if (!isAutoModel(body.model)) {
        // One lookup: the registry model the name is serves both the allow-list and the plan's check.
        const canonical = await this.models.canonicalName(body.model);
        if (!access.allows(body.model) && !(canonical !== undefined && access.allows(canonical))) throw denied(body.model);
        exchange.requestedModel = canonical;
      }
      for (const name of body.models ?? []) if (!(await allowed(name))) throw denied(name, 'models');
    }
    exchange.pin = routePin(exchange.request);
    exchange.outcome.routePin = exchange.pin;
  }

  /** A stored answer serves only a request that could have produced it. */
  servable(meta: CacheMeta, exchange: ChatExchange): boolean {
    if (exchange.pin === 'local-only' && meta.local !== true) return false;
    const access = modelAccess(exchange.principal.allowedModels);
    return access.unrestricted || mayUse(access, meta.target, meta.model, exchange.requestedModel);
  }

  /**
   * The router's "no such model" names its near misses from the whole catalogue; a key limited to
   * some models hears only of those (a hint must not reveal a model it may not use).
   */
  narrowHints(error: unknown, exchange: ChatExchange): unknown {
    const access = modelAccess(exchange.principal.allowedModels);
    if (access.unrestricted || !(error instanceof BusError) || error.code !== 'model_not_found') return error;
    const suggested = error.details?.['suggestions'];
    const suggestions = (Array.isArray(suggested) ? suggested : []).filter((s): s is string => typeof s === 'string' && access.allows(s));
    const hint = suggestions.length > 0 ? ` Did you mean: ${suggestions.join(', ')}?` : '';
    return new BusError('model_not_found', `The model '${exchange.body.model}' does not exist.${hint}`, { suggestions });
  }

  /** Only the targets the key may use, and only local ones under `local-only`; none left is an error. */
  restrict(plan: PlanResponse, exchange: ChatExchange): PlanResponse {
    return restrictToPin(restrictToAllowed(plan, exchange), exchange.pin, exchange.body.model);
  }
}

function denied(model: string, param = 'model'): ApiError {
  return new ApiError('permission_denied', `This API key may not use the model '${model}'.`, { param });
}

/**
 * A target the key may use: on its list, or the registry model the (allowed) requested name is —
 * by its name or an alias, never by a bare id the router matched (`anthropic/claude-x` allowed by
 * `anthropic/*` must not run on `openrouter/anthropic/claude-x`).
 */
function mayUse(access: ModelAccess, target: string, resolved: string, requestedModel: string | undefined): boolean {
  return access.allows(target) || (target === resolved && requestedModel !== undefined && requestedModel.toLowerCase() === resolved.toLowerCase());
}

function restrictToAllowed(plan: PlanResponse, exchange: ChatExchange): PlanResponse {
  const access = modelAccess(exchange.principal.allowedModels);
  if (access.unrestricted) return plan;
  const requested = exchange.body.model;
  const targets = plan.targets.filter((t) => mayUse(access, t.model, plan.model, exchange.requestedModel));
  if (targets.length === 0) throw denied(requested);
  return targets.length === plan.targets.length ? plan : { ...plan, targets };
}

/** `x-iir-route: local-only` is hard: the router enforces it, and the gateway again on the plan. */
function restrictToPin(plan: PlanResponse, pin: RoutePin | undefined, requested: string): PlanResponse {
  if (pin !== 'local-only') return plan;
  const targets = plan.targets.filter(isLocalTarget);
  if (targets.length === 0) {
    throw new ApiError('no_target_available', `x-iir-route: local-only, but no local target is available for '${requested}'.`);
  }
  return targets.length === plan.targets.length ? plan : { ...plan, targets };
}

/** `x-iir-route: local-only | prefer-local | remote-only`; anything else is the client's mistake. */
function routePin(request: FastifyRequest): RoutePin | undefined {
  const value = request.headers['x-iir-route'];
  if (value === undefined) return undefined;
  const pin = (Array.isArray(value) ? value[0] : value)?.trim().toLowerCase();
  if (pin && (ROUTE_PINS as readonly string[]).includes(pin)) return pin as RoutePin;
  throw new ApiError('invalid_request_error', `The x-iir-route header must be one of ${ROUTE_PINS.join(', ')}.`, { param: 'x-iir-route' });
}
