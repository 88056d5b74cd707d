export { parseNcrontab, type NcrontabSchedule } from "./ncrontab.js";
export { nextOccurrence } from "./next-occurrence.js";
export { TimerScheduleError, TimerErrorCode } from "./errors.js";
export { timerComponent, timerTriggerType, type TimerComponentOptions } from "./timer-component.js";
export type { TimerInfo } from "./timer-runner.js";
export type { ScheduleStatus } from "./schedule-monitor.js";
