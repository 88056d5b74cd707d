// One Function App on its own Flex Consumption plan (Flex allows one app per plan), running
// Node under a user-assigned identity. Every connection is identity-based: the settings name
// endpoints and the identity's client id, never a key.

@description('Function App name (globally unique host name).')
param name string

@description('Flex Consumption plan name.')
param planName string

@description('Azure region (must offer Flex Consumption).')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('azd service name from azure.yaml; azd finds the app to deploy by the azd-service-name tag.')
param serviceName string

@description('Resource id of the user-assigned identity the app runs as.')
param identityResourceId string

@description('Client id of that identity (selects it for every identity-based connection).')
param identityClientId string

@description('Storage account for AzureWebJobsStorage and the deployment package.')
param storageAccountName string

@description('Blob container that holds this app\'s deployment package.')
param deploymentContainerName string

@description('Application Insights component that receives the app\'s telemetry.')
param applicationInsightsName string

@description('Service Bus namespace host name, e.g. sb-x.servicebus.windows.net.')
param serviceBusNamespace string

@description('Settings specific to this app, added to the connection settings.')
param appSettings object = {}

@secure()
@description('Settings that hold credentials material (API key hashes): kept out of the deployment\'s inputs all the way to the appsettings resource.')
param secureAppSettings object = {}

@description('Node.js major version: 22 (Azure Functions ended Node 20 support on 30 April 2026).')
@allowed(['22'])
param nodeVersion string = '22'

@description('Memory per instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Upper bound of instances the plan scales out to (Flex Consumption: 40 to 1000).')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances by scaling group (\'http\', \'durable\' or \'function:<name>\'), e.g. [{ name: \'durable\', instanceCount: 1 }]. None by default.')
param alwaysReady array = []

resource storageAccount 'Microsoft.Storage/storageAccounts@2025-01-01' existing = {
  name: storageAccountName
}

resource appInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// AzureWebJobsStorage and ServiceBusConnection follow the Functions identity-based connection
// convention (<name>__serviceUri / __fullyQualifiedNamespace + __credential + __clientId),
// which lib/config/settings.ts and lib/bus read as well. The Application Insights connection
// string is an endpoint and a resource id: with local auth disabled it cannot ingest anything
// without the identity's token (APPLICATIONINSIGHTS_AUTHENTICATION_STRING).
var connectionSettings = {
  AzureWebJobsStorage__blobServiceUri: storageAccount.properties.primaryEndpoints.blob
  AzureWebJobsStorage__queueServiceUri: storageAccount.properties.primaryEndpoints.queue
  AzureWebJobsStorage__tableServiceUri: storageAccount.properties.primaryEndpoints.table
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identityClientId
  ServiceBusConnection__fullyQualifiedNamespace: serviceBusNamespace
  ServiceBusConnection__credential: 'managedidentity'
  ServiceBusConnection__clientId: identityClientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.properties.ConnectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD;ClientId=${identityClientId}'
}

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: '${serviceName}-plan'
  params: {
    name: planName
    location: location
    tags: tags
    kind: 'functionapp'
    skuName: 'FC1'
    reserved: true
    zoneRedundant: false
  }
}

module site 'br/public:avm/res/web/site:0.24.0' = {
  name: '${serviceName}-site'
  params: {
    name: name
    location: location
    tags: union(tags, { 'azd-service-name': serviceName })
    kind: 'functionapp,linux'
    serverFarmResourceId: plan.outputs.resourceId
    httpsOnly: true
    managedIdentities: {
      userAssignedResourceIds: [identityResourceId]
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageAccount.properties.primaryEndpoints.blob}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityResourceId
          }
        }
      }
      scaleAndConcurrency: {
        alwaysReady: alwaysReady
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: nodeVersion
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    basicPublishingCredentialsPolicies: [
      {
        name: 'ftp'
        allow: false
      }
      {
        name: 'scm'
        allow: false
      }
    ]
  }
}

resource app 'Microsoft.Web/sites@2024-04-01' existing = {
  name: name
}

// The app settings are set here rather than through the site module's `configs`: a module
// parameter is a deployment input, and the secure settings must not pass through a plain one.
// This replaces the whole set, as retainCurrentAppSettings: false did.
resource appSettingsConfig 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: app
  name: 'appsettings'
  properties: union(connectionSettings, appSettings, secureAppSettings)
  dependsOn: [site]
}

@description('Function App name.')
output name string = site.outputs.name

@description('Function App resource id.')
output resourceId string = site.outputs.resourceId

@description('Default host name, e.g. func-x.azurewebsites.net.')
output defaultHostname string = site.outputs.defaultHostname

@description('Base URL of the app.')
output uri string = 'https://${site.outputs.defaultHostname}'
