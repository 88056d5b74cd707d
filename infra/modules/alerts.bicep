// Alert rules for operators: dead letters on the bus, the failed-job rate from the app's own
// metrics, and failing function invocations. Without an e-mail address the rules still fire
// and show in the Portal (Monitor > Alerts); with one, an action group mails it.

import { metricNames, attributeNames } from 'telemetry-names.bicep'

@description('Prefix for the alert rule names.')
param namePrefix string

@description('Region for the log alert rules.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Application Insights resource id (scope of the log and request alerts).')
param applicationInsightsResourceId string

@description('Service Bus namespace resource id (scope of the dead-letter alert).')
param serviceBusNamespaceResourceId string

@description('Address that receives alert e-mails; empty sends none.')
param alertEmail string = ''

@description('Percentage of terminal jobs that FAILED, over the window, above which the alert fires.')
@minValue(1)
@maxValue(100)
param failedJobRatePercent int = 10

@description('Jobs that missed their deadline (ended DEADLINE_EXCEEDED) in an hour above which the alert fires; 0 alerts on the first.')
@minValue(0)
param deadlineMissThreshold int = 0

@description('Failed function invocations per window above which the alert fires.')
@minValue(0)
param functionFailureThreshold int = 5

module actionGroup 'br/public:avm/res/insights/action-group:0.8.0' = if (!empty(alertEmail)) {
  name: 'alerts-action-group'
  params: {
    name: '${namePrefix}-operators'
    groupShortName: 'lucius-ops'
    tags: tags
    emailReceivers: [
      {
        name: 'operators'
        emailAddress: alertEmail
        useCommonAlertSchema: true
      }
    ]
  }
}

var actionGroupIds = empty(alertEmail) ? [] : [actionGroup!.outputs.resourceId]

module deadLetters 'br/public:avm/res/insights/metric-alert:0.4.1' = {
  name: 'alert-dead-letters'
  params: {
    name: '${namePrefix}-dead-letters'
    alertDescription: 'Messages are sitting in a dead-letter queue of the directives or replies topic. See docs/runbook.md.'
    tags: tags
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [serviceBusNamespaceResourceId]
    actions: actionGroupIds
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allof: [
        {
          name: 'dead-lettered-messages'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'Microsoft.ServiceBus/namespaces'
          metricName: 'DeadletteredMessages'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: 0
        }
      ]
    }
  }
}

module functionFailures 'br/public:avm/res/insights/metric-alert:0.4.1' = {
  name: 'alert-function-failures'
  params: {
    name: '${namePrefix}-function-failures'
    alertDescription: 'Function invocations are failing (Application Insights failed requests).'
    tags: tags
    severity: 2
    evaluationFrequency: 'PT5M'
    windowSize: 'PT15M'
    scopes: [applicationInsightsResourceId]
    actions: actionGroupIds
    criteria: {
      'odata.type': 'Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria'
      allof: [
        {
          name: 'failed-requests'
          criterionType: 'StaticThresholdCriterion'
          metricNamespace: 'microsoft.insights/components'
          metricName: 'requests/failed'
          timeAggregation: 'Count'
          operator: 'GreaterThan'
          threshold: functionFailureThreshold
        }
      ]
    }
  }
}

// Counters arrive as pre-aggregated customMetrics rows (valueSum per export interval).
var failedJobRateQuery = 'customMetrics | where name == \'${metricNames.jobsTerminal}\' | extend jobState = tostring(customDimensions[\'${attributeNames.state}\']) | summarize failed = sumif(valueSum, jobState == \'FAILED\'), total = sum(valueSum) | where total > 0 | project failedPercent = 100.0 * failed / total'

module failedJobRate 'br/public:avm/res/insights/scheduled-query-rule:0.6.0' = {
  name: 'alert-failed-job-rate'
  params: {
    name: '${namePrefix}-failed-job-rate'
    alertDisplayName: 'Lucius failed-job rate'
    alertDescription: 'More than ${failedJobRatePercent}% of the jobs that finished in the window FAILED.'
    location: location
    tags: tags
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    scopes: [applicationInsightsResourceId]
    skipQueryValidation: true
    actions: {
      actionGroupResourceIds: actionGroupIds
    }
    criterias: {
      allOf: [
        {
          query: failedJobRateQuery
          metricMeasureColumn: 'failedPercent'
          timeAggregation: 'Maximum'
          operator: 'GreaterThan'
          threshold: failedJobRatePercent
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
  }
}

var deadlineMissesQuery = 'customMetrics | where name == \'${metricNames.jobsDeadlineMissed}\' | summarize missed = sum(valueSum)'

module deadlineMisses 'br/public:avm/res/insights/scheduled-query-rule:0.6.0' = {
  name: 'alert-deadline-misses'
  params: {
    name: '${namePrefix}-deadline-misses'
    alertDisplayName: 'Lucius jobs missing their deadline'
    alertDescription: 'More than ${deadlineMissThreshold} jobs ended FAILED with DEADLINE_EXCEEDED in the last hour. See docs/runbook.md.'
    location: location
    tags: tags
    severity: 2
    evaluationFrequency: 'PT15M'
    windowSize: 'PT1H'
    scopes: [applicationInsightsResourceId]
    skipQueryValidation: true
    actions: {
      actionGroupResourceIds: actionGroupIds
    }
    criterias: {
      allOf: [
        {
          query: deadlineMissesQuery
          metricMeasureColumn: 'missed'
          timeAggregation: 'Total'
          operator: 'GreaterThan'
          threshold: deadlineMissThreshold
          failingPeriods: {
            numberOfEvaluationPeriods: 1
            minFailingPeriodsToAlert: 1
          }
        }
      ]
    }
  }
}

@description('Alert rule names.')
output alertNames string[] = [
  deadLetters.outputs.name
  functionFailures.outputs.name
  failedJobRate.outputs.name
  deadlineMisses.outputs.name
]
