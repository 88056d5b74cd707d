// Log Analytics and a workspace-based Application Insights. Local (instrumentation key) auth
// is off: telemetry is accepted only with an Entra ID token, so the connection string the app
// is given carries no credential.

@description('Log Analytics workspace name.')
param logAnalyticsName string

@description('Application Insights component name.')
param applicationInsightsName string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Days of retention for logs and telemetry.')
@allowed([30, 60, 90, 120, 180, 270, 365, 550, 730])
param retentionInDays int = 30

@description('Role assignments on Application Insights (Monitoring Metrics Publisher for every identity that sends telemetry).')
param roleAssignments array = []

module workspace 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'log-analytics'
  params: {
    name: logAnalyticsName
    location: location
    tags: tags
    dataRetention: retentionInDays
    features: {
      disableLocalAuth: true
    }
  }
}

module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'application-insights'
  params: {
    name: applicationInsightsName
    location: location
    tags: tags
    workspaceResourceId: workspace.outputs.resourceId
    disableLocalAuth: true
    retentionInDays: retentionInDays
    roleAssignments: roleAssignments
  }
}

@description('Application Insights component name.')
output applicationInsightsName string = appInsights.outputs.name

@description('Application Insights resource id.')
output applicationInsightsResourceId string = appInsights.outputs.resourceId

@description('Log Analytics workspace resource id.')
output logAnalyticsWorkspaceResourceId string = workspace.outputs.resourceId
