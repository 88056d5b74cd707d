// The telemetry contract, mirrored from MetricNames and TelemetryAttributeNames in
// lib/config/names.ts. The alert rules and the workbook import these; a contract test keeps
// both files equal, so a renamed metric fails the build instead of silencing an alert.

@export()
@description('OpenTelemetry metric names the app emits (customMetrics.name in Application Insights).')
var metricNames = {
  commandsAccepted: 'lucius.commands.accepted'
  commandsRejected: 'lucius.commands.rejected'
  jobsTerminal: 'lucius.jobs.terminal'
  jobsInFlight: 'lucius.jobs.inflight'
  stepAckLatency: 'lucius.step.ack.latency'
  repliesIgnored: 'lucius.replies.ignored'
  stepAttemptDuration: 'lucius.step.attempt.duration'
  stepRetries: 'lucius.step.retries'
  messagesDeadLettered: 'lucius.messages.deadlettered'
  jobDuration: 'lucius.job.duration'
  jobsDeadlineMissed: 'lucius.jobs.deadline_missed'
  reviewWait: 'lucius.review.wait'
  reviewsOpened: 'lucius.reviews.opened'
}

@export()
@description('Attribute names on those metrics and on logs (customDimensions keys).')
var attributeNames = {
  state: 'state'
  stepType: 'step_type'
  cause: 'cause'
  jobId: 'job_id'
  tenantId: 'tenant_id'
  reason: 'reason'
  protocolId: 'protocol_id'
  decision: 'decision'
}
