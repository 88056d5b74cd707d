import type { HostComponent } from "./component.js";

/**
 * The components `npm start` runs: every trigger devhost can serve. They are
 * imported lazily so a component that fails to load is reported by name (its
 * functions are then rejected at start-up as unsupported) instead of taking
 * the whole host down.
 */
export async function defaultComponents(): Promise<HostComponent[]> {
  const components: HostComponent[] = [];
  try {
    const { serviceBusComponent } = await import("./servicebus/index.js");
    components.push(serviceBusComponent());
  } catch (error) {
    console.error(`[devhost] the Service Bus component could not be loaded: ${error instanceof Error ? error.message : String(error)}`);
  }
  return components;
}
