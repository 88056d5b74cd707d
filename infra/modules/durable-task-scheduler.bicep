// Optional Durable Functions backend: a Durable Task Scheduler with one task hub. Only deployed
// when main.bicep's durableBackend is DurableTaskScheduler; the app then switches its storage
// provider through host.json override settings (see main.bicep).

import { roleIds } from 'role-ids.bicep'

@description('Scheduler name.')
param name string

@description('Azure region (must offer Durable Task Scheduler).')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Task hub name; the app\'s LUCIUS_TASK_HUB must equal it.')
param taskHubName string

@description('Scheduler SKU.')
@allowed(['Consumption', 'Dedicated'])
param skuName string = 'Consumption'

@description('CIDR ranges allowed to reach the scheduler endpoint.')
param ipAllowlist string[] = ['0.0.0.0/0']

@description('Principals given Durable Task Data Contributor on the scheduler: { principalId, principalType }.')
param dataContributors {
  principalId: string
  principalType: ('User' | 'ServicePrincipal' | 'Group')
}[] = []

resource scheduler 'Microsoft.DurableTask/schedulers@2025-11-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    ipAllowlist: ipAllowlist
    sku: skuName == 'Dedicated' ? { name: skuName, capacity: 1 } : { name: skuName }
  }
}

resource taskHub 'Microsoft.DurableTask/schedulers/taskHubs@2025-11-01' = {
  parent: scheduler
  name: taskHubName
}

resource dataAccess 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for contributor in dataContributors: {
    name: guid(scheduler.id, contributor.principalId, roleIds.durableTaskDataContributor)
    scope: scheduler
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.durableTaskDataContributor)
      principalId: contributor.principalId
      principalType: contributor.principalType
    }
  }
]

@description('Scheduler name.')
output name string = scheduler.name

@description('Scheduler endpoint URL (no credential in it).')
output endpoint string = scheduler.properties.endpoint

@description('Task hub name.')
output taskHubName string = taskHub.name
