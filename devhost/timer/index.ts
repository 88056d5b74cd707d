export { parseNcrontab, type NcrontabSchedule } from "./ncrontab.js";
export { nextOccurrence } from "./next-occurrence.js";
export { TimerScheduleError, TimerErrorCode } from "./errors.js";
