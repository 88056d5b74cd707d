import { disabledSettingName } from "../devhost/disabled-functions.js";

/**
 * App settings that keep the five-minutely drift reconciler (`reconcileDrift`) out of a benchmark's
 * devhost. It reads every job in flight, so a run that happens to cross a five-minute mark would
 * count thousands of its reads among the commands being measured; its cost is per run, not per job.
 */
export const withoutReconciler = { [disabledSettingName("reconcileDrift")]: "true" } as const;
