export { serviceBusComponent, type ServiceBusComponentOptions, type ServiceBusHostComponent } from "./servicebus-component.js";
export { ServiceBusEmulator, type ServiceBusEmulatorOptions, type Receiver } from "./emulator.js";
export { defaultTopology, TopologyDefaults, type Topology, type TopicOptions, type SubscriptionOptions } from "./topology.js";
export { compileSqlFilter, type FilterableMessage } from "./sql-filter.js";
export { adminHandler, devhostServiceBusPath } from "./admin-routes.js";
export { DeadLetterReason, type SubscriptionCounts } from "./message-store.js";
export type { EmulatorMessageInput, LockedMessage, SendOutcome, StoredMessage } from "./message.js";
export type { ReceiverOptions, BatchHandler } from "./receiver.js";
export { EmulatorError, EmulatorErrorCode } from "./errors.js";
