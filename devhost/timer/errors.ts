export const TimerErrorCode = {
  invalidSchedule: "INVALID_SCHEDULE",
} as const;
export type TimerErrorCode = (typeof TimerErrorCode)[keyof typeof TimerErrorCode];

/** A timer trigger's schedule cannot be used; start-up stops with this message. */
export class TimerScheduleError extends Error {
  override readonly name = "TimerScheduleError";
  readonly code = TimerErrorCode.invalidSchedule;
}
