import { isAutoModel, toClassifierMessages, type PlanResponse, type ProviderPreferences, type RegistryClient, type RouterClient, type Subscription } from '@iir/contracts';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { REGISTRY_CLIENT, ROUTER_CLIENT } from '../gateway.tokens';
import type { ChatExchange } from './chat-exchange';
import { KeyAccess } from './key-access';
import { PlanCache } from './plan-cache';

/**
 * Where the request goes: the router's plan (or a cached one the router said may be reused),
 * narrowed to what the key and the pin allow.
 */
@Injectable()
export class Planner implements OnModuleInit, OnApplicationShutdown {
  private readonly plans = new PlanCache();
  private subscription: Subscription | undefined;

  constructor(
    @Inject(ROUTER_CLIENT) private readonly router: RouterClient,
    @Inject(REGISTRY_CLIENT) private readonly registry: RegistryClient,
    private readonly access: KeyAccess,
  ) {}

  onModuleInit(): void {
    // Every gateway replica drops its cached plans when the catalogue changes.
    this.subscription = this.registry.onChanged(() => this.plans.clear());
  }

  onApplicationShutdown(): void {
    this.subscription?.unsubscribe();
  }

  async plan(exchange: ChatExchange): Promise<PlanResponse> {
    const plan = this.access.restrict(await this.routerPlan(exchange), exchange);
    exchange.outcome.resolvedModel = plan.model;
    exchange.outcome.planned(plan);
    return plan;
  }

  private async routerPlan(exchange: ChatExchange): Promise<PlanResponse> {
    const { body, principal, pin, requestId } = exchange;
    const key = this.plans.key(body, pin, body['provider']);
    const cached = this.plans.get(key);
    if (cached) return cached;
    const askedAt = this.plans.generation;
    const plan = await this.router
      .plan({
      requestId,
      model: body.model,
      ...(body.models ? { models: body.models } : {}),
      stream: body.stream === true,
      ...(principal.keyId ? { keyId: principal.keyId } : {}),
      priority: principal.priority,
      // The pin binds every plan; `auto` also gets the turns the classifier needs.
      ...(pin ? { route: pin } : {}),
      ...(body['provider'] ? { provider: body['provider'] as ProviderPreferences } : {}),
      ...(isAutoModel(body.model) ? { classify: toClassifierMessages(body.messages) } : {}),
      })
      .catch((error: unknown) => {
        throw this.access.narrowHints(error, exchange);
      });
    this.plans.set(key, plan, askedAt);
    return plan;
  }
}
