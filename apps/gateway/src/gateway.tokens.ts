/** The typed router client (a `RouterClient` over the gateway's bus). */
export const ROUTER_CLIENT = Symbol('ROUTER_CLIENT');
/** The typed registry client. */
export const REGISTRY_CLIENT = Symbol('REGISTRY_CLIENT');
/** The typed auth client (keys and stats). */
export const AUTH_CLIENT = Symbol('AUTH_CLIENT');
