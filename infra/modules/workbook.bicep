// The "Lucius operations" workbook in the Azure Portal (Monitor > Workbooks): intake, jobs in
// flight, jobs by state, step and ACK latency, retries, ignored replies, dead letters, and one
// job's timeline by job_id.

import { metricNames, attributeNames } from 'telemetry-names.bicep'

@description('Workbook display name.')
param displayName string = 'Lucius operations'

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Application Insights resource id the queries run against.')
param applicationInsightsResourceId string

@description('Service Bus namespace resource id (dead-letter metric chart).')
param serviceBusNamespaceResourceId string

var appInsightsType = 'microsoft.insights/components'

// A KQL chart item over Application Insights, bound to the TimeRange parameter.
func kqlItem(name string, title string, query string, visualization string, resourceType string) object => {
  type: 3
  name: name
  content: {
    version: 'KqlItem/1.0'
    title: title
    query: query
    size: 0
    queryType: 0
    resourceType: resourceType
    timeContextFromParameter: 'TimeRange'
    visualization: visualization
  }
}

var jobsByStateQuery = 'customMetrics | where name == \'${metricNames.jobsTerminal}\' | extend jobState = tostring(customDimensions[\'${attributeNames.state}\']) | summarize jobs = sum(valueSum) by jobState, bin(timestamp, {TimeRange:grain})'

// Histograms are exported pre-aggregated (sum and count per interval), so these percentiles are
// over per-interval means: a trend indicator, not exact per-attempt percentiles.
var stepLatencyQuery = 'customMetrics | where name == \'${metricNames.stepAttemptDuration}\' and valueCount > 0 | extend stepType = tostring(customDimensions[\'${attributeNames.stepType}\']), meanMs = valueSum / valueCount | summarize p50 = percentile(meanMs, 50), p90 = percentile(meanMs, 90), p99 = percentile(meanMs, 99), maxMs = max(valueMax) by stepType'

var retriesQuery = 'customMetrics | where name == \'${metricNames.stepRetries}\' | extend cause = tostring(customDimensions[\'${attributeNames.cause}\']) | summarize retries = sum(valueSum) by cause, bin(timestamp, {TimeRange:grain})'

var appDeadLettersQuery = 'customMetrics | where name == \'${metricNames.messagesDeadLettered}\' | summarize deadLettered = sum(valueSum) by bin(timestamp, {TimeRange:grain})'

var intakeQuery = 'customMetrics | where name in (\'${metricNames.commandsAccepted}\', \'${metricNames.commandsRejected}\') | extend outcome = iff(name == \'${metricNames.commandsAccepted}\', \'accepted\', strcat(\'rejected: \', tostring(customDimensions[\'${attributeNames.reason}\']))) | summarize commands = sum(valueSum) by outcome, bin(timestamp, {TimeRange:grain})'

var inFlightQuery = 'customMetrics | where name == \'${metricNames.jobsInFlight}\' | extend tenant = tostring(customDimensions[\'${attributeNames.tenantId}\']) | summarize inFlight = max(valueMax) by tenant, bin(timestamp, {TimeRange:grain})'

var ackLatencyQuery = 'customMetrics | where name == \'${metricNames.stepAckLatency}\' and valueCount > 0 | extend stepType = tostring(customDimensions[\'${attributeNames.stepType}\']) | summarize meanMs = sum(valueSum) / sum(valueCount), maxMs = max(valueMax) by stepType'

var ignoredRepliesQuery = 'customMetrics | where name == \'${metricNames.repliesIgnored}\' | extend reason = tostring(customDimensions[\'${attributeNames.reason}\']) | summarize ignored = sum(valueSum) by reason, bin(timestamp, {TimeRange:grain})'

// The review queue over the range: reviews opened less reviews decided (each decision is one lucius.review.wait value), running total.
var reviewQueueQuery = 'customMetrics | where name in (\'${metricNames.reviewsOpened}\', \'${metricNames.reviewWait}\') | summarize opened = sumif(valueSum, name == \'${metricNames.reviewsOpened}\'), decided = sumif(valueCount, name == \'${metricNames.reviewWait}\') by bin(timestamp, {TimeRange:grain}) | order by timestamp asc | extend queue = row_cumsum(opened - decided) | project timestamp, queue'

var reviewWaitQuery = 'customMetrics | where name == \'${metricNames.reviewWait}\' and valueCount > 0 | extend decision = tostring(customDimensions[\'${attributeNames.decision}\']) | summarize reviews = sum(valueCount), meanMinutes = sum(valueSum) / sum(valueCount) / 60000.0, maxMinutes = max(valueMax) / 60000.0 by decision'

// SLA adherence: the share of finished jobs, by protocol, that did not end DEADLINE_EXCEEDED.
var slaQuery = 'customMetrics | where name in (\'${metricNames.jobDuration}\', \'${metricNames.jobsDeadlineMissed}\') | extend protocol = tostring(customDimensions[\'${attributeNames.protocolId}\']) | summarize finished = sumif(valueCount, name == \'${metricNames.jobDuration}\'), missed = sumif(valueSum, name == \'${metricNames.jobsDeadlineMissed}\') by protocol | where finished > 0 | extend adherencePercent = round(100.0 * (finished - missed) / finished, 2)'

// Spans (requests, dependencies) and log records both carry job_id: the job's whole story.
var jobTimelineQuery = 'union requests, dependencies, customEvents, traces, exceptions | where tostring(customDimensions[\'${attributeNames.jobId}\']) == \'{JobId}\' | project timestamp, itemType, name, message, severityLevel, customDimensions | order by timestamp asc'

var content = {
  version: 'Notebook/1.0'
  items: [
    {
      type: 1
      name: 'title'
      content: {
        json: '## Lucius operations\nJobs, steps and messages from the app\'s own telemetry. Metric names are defined in lib/config/names.ts.'
      }
    }
    {
      type: 9
      name: 'parameters'
      content: {
        version: 'KqlParameterItem/1.0'
        parameters: [
          {
            id: 'time-range'
            version: 'KqlParameterItem/1.0'
            name: 'TimeRange'
            type: 4
            isRequired: true
            value: {
              durationMs: 86400000
            }
            typeSettings: {
              selectableValues: [
                { durationMs: 3600000 }
                { durationMs: 14400000 }
                { durationMs: 86400000 }
                { durationMs: 604800000 }
              ]
            }
          }
          {
            id: 'job-id'
            version: 'KqlParameterItem/1.0'
            name: 'JobId'
            label: 'job_id'
            type: 1
            value: ''
          }
        ]
      }
    }
    kqlItem('intake', 'Commands accepted and rejected (by reason)', intakeQuery, 'timechart', appInsightsType)
    kqlItem('in-flight', 'Jobs in flight by tenant', inFlightQuery, 'timechart', appInsightsType)
    kqlItem('jobs-by-state', 'Jobs by terminal state', jobsByStateQuery, 'barchart', appInsightsType)
    kqlItem('ack-latency', 'ACK latency (ms) by step type', ackLatencyQuery, 'table', appInsightsType)
    kqlItem('ignored-replies', 'Worker replies ignored, by reason', ignoredRepliesQuery, 'timechart', appInsightsType)
    kqlItem('step-latency', 'Step attempt latency (ms) by step type', stepLatencyQuery, 'table', appInsightsType)
    kqlItem('retries', 'Step retries by cause', retriesQuery, 'timechart', appInsightsType)
    kqlItem('app-dead-letters', 'Messages dead-lettered by the app', appDeadLettersQuery, 'timechart', appInsightsType)
    kqlItem('review-queue', 'Review queue: steps awaiting a decision (opened less decided over the range)', reviewQueueQuery, 'timechart', appInsightsType)
    kqlItem('review-wait', 'Review wait (minutes) by decision', reviewWaitQuery, 'table', appInsightsType)
    kqlItem('sla', 'SLA adherence by protocol: finished jobs that met their deadline', slaQuery, 'table', appInsightsType)
    {
      type: 10
      name: 'bus-dead-letters'
      content: {
        version: 'MetricsItem/2.0'
        title: 'Dead-lettered messages on the Service Bus namespace, by entity'
        size: 0
        chartType: 2
        resourceType: 'microsoft.servicebus/namespaces'
        metricScope: 0
        resourceIds: [serviceBusNamespaceResourceId]
        timeContextFromParameter: 'TimeRange'
        metrics: [
          {
            namespace: 'microsoft.servicebus/namespaces'
            metric: 'microsoft.servicebus/namespaces--DeadletteredMessages'
            aggregation: 3
            splitBy: 'EntityName'
          }
        ]
      }
    }
    kqlItem('job-timeline', 'Timeline of job {JobId}', jobTimelineQuery, 'table', appInsightsType)
  ]
  fallbackResourceIds: [applicationInsightsResourceId]
  '$schema': 'https://github.com/Microsoft/Application-Insights-Workbooks/blob/master/schema/workbook.json'
}

resource workbook 'Microsoft.Insights/workbooks@2023-06-01' = {
  name: guid(resourceGroup().id, applicationInsightsResourceId, 'lucius-operations')
  location: location
  tags: tags
  kind: 'shared'
  properties: {
    displayName: displayName
    category: 'workbook'
    sourceId: applicationInsightsResourceId
    version: 'Notebook/1.0'
    serializedData: string(content)
  }
}

@description('Workbook resource id.')
output resourceId string = workbook.id
