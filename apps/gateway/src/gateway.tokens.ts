/** The typed router client (a `RouterClient` over the gateway's bus). */
export const ROUTER_CLIENT = Symbol('ROUTER_CLIENT');
/** The typed registry client. */
export const REGISTRY_CLIENT = Symbol('REGISTRY_CLIENT');
