// Lucius on Azure: one resource group with monitoring, storage, Service Bus, two Function Apps
// on Flex Consumption (orchestrator and workers), their identities and roles, and optionally a
// Durable Task Scheduler. Names of tables, containers, topics, subscriptions and settings must
// match lib/config/names.ts; test/unit/infra-contract.test.ts enforces that.

targetScope = 'subscription'

import { roleIds } from 'modules/role-ids.bicep'

@minLength(1)
@maxLength(64)
@description('azd environment name; seeds every resource name.')
param environmentName string

@minLength(1)
@description('Region for every resource; it must offer Flex Consumption (and Durable Task Scheduler if chosen).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Resource group name; empty means rg-<environmentName>.')
param resourceGroupName string = ''

@description('Object id of the deploying user or service principal (azd sets AZURE_PRINCIPAL_ID). It gets data roles for local runs and operations; empty grants nothing.')
param principalId string = ''

@description('Kind of principalId.')
@allowed(['User', 'ServicePrincipal'])
param principalType string = 'User'

@description('Durable Functions backend.')
@allowed(['AzureStorage', 'DurableTaskScheduler'])
param durableBackend string = 'AzureStorage'

@description('Durable task hub name (LUCIUS_TASK_HUB); also the Durable Task Scheduler task hub.')
@minLength(3)
@maxLength(45)
param taskHubName string = 'lucius'

@description('Largest accepted command body, in bytes (LUCIUS_MAX_BODY_BYTES).')
@minValue(1)
param maxBodyBytes int = 262144

@description('Number of routing lanes (LUCIUS_LANES).')
@minValue(1)
param lanes int = 16

@description('Jobs one tenant may have in flight before intake answers 429 (LUCIUS_TENANT_INFLIGHT_LIMIT).')
@minValue(1)
param tenantInFlightLimit int = 100

@description('Per-tenant in-flight limits, e.g. {"big-tenant": 500} (LUCIUS_TENANT_INFLIGHT_OVERRIDES); empty means none. An object, so azd can substitute the JSON unquoted.')
param tenantInFlightOverrides object = {}

@description('Jobs the whole app may have in flight (LUCIUS_GLOBAL_INFLIGHT_LIMIT).')
@minValue(1)
param globalInFlightLimit int = 10000

@description('Seconds a job must have been still before the drift reconciler touches it (LUCIUS_RECONCILE_GRACE_SECONDS).')
@minValue(1)
param reconcileGraceSeconds int = 120

@description('REPLY_IGNORED events recorded per step; ignored replies past it are only counted (LUCIUS_REPLY_IGNORED_EVENTS_PER_STEP).')
@minValue(1)
param replyIgnoredEventsPerStep int = 20

@description('Deliveries of a directive or reply before Service Bus dead-letters it.')
@minValue(1)
param maxDeliveryCount int = 10

@description('Time to live of a message on either topic; expired messages are dead-lettered.')
param messageTimeToLive string = 'P1D'

@description('Upper bound of instances per Function App; Flex Consumption accepts 40 to 1000.')
@minValue(40)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Always-ready instances for each group on a job\'s ACK path (docs/deploy.md, "Timing on the real backends"); 0 for none.')
@minValue(0)
@maxValue(10)
param alwaysReadyInstances int = 1

@description('Address that receives alert e-mails; empty sends none (alerts still show in the Portal).')
param alertEmail string = ''

@description('Failed-job percentage that raises an alert.')
@minValue(1)
@maxValue(100)
param failedJobRatePercent int = 10

@description('Failed function invocations per 15 minutes that raise an alert.')
@minValue(0)
param functionFailureThreshold int = 5

@description('Comma-separated https URL prefixes every tenant may read inputs from besides its places in the storage account (LUCIUS_INPUT_ALLOWLIST); empty allows none.')
param inputAllowlist string = ''

@description('Tenant id → https URL prefixes only that tenant may read inputs from (LUCIUS_TENANT_INPUT_ALLOWLISTS), e.g. {"t1": ["https://x/"]}; empty allows none. An object, so azd can substitute the JSON unquoted.')
param tenantInputAllowlists object = {}

@description('Largest input document the workers read, in bytes (LUCIUS_MAX_INPUT_BYTES).')
@minValue(1)
param maxInputBytes int = 52428800

@description('Largest image the OCR worker decodes, in pixels (LUCIUS_OCR_MAX_PIXELS); larger ones fail INPUT_TOO_LARGE before decoding.')
@minValue(1)
param ocrMaxPixels int = 40000000

@description('Most pages a PDF or TIFF may have for OCR (LUCIUS_OCR_MAX_PAGES); longer ones fail INPUT_TOO_LARGE before any page is rendered.')
@minValue(1)
param ocrMaxPages int = 200

@description('Provision Azure AI Document Intelligence for OCR (prebuilt-read): an account with keys disabled, "Cognitive Services User" for the workers identity, and LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT set to it. False: documentIntelligenceEndpoint if given, else the offline OCR engine.')
param documentIntelligence bool = false

@description('Endpoint of an existing Document Intelligence account (LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT), e.g. https://<name>.cognitiveservices.azure.com, used when documentIntelligence is false. Grant the workers identity "Cognitive Services User" on that resource.')
param documentIntelligenceEndpoint string = ''

@description('Azure OpenAI endpoint for the workers (LUCIUS_OPENAI_ENDPOINT), e.g. https://<name>.openai.azure.com; empty runs the offline embedder and analysis. Grant the workers identity "Cognitive Services OpenAI User" on that resource.')
param openAiEndpoint string = ''

@description('Azure OpenAI embeddings deployment used by EMBEDDING (LUCIUS_OPENAI_EMBEDDING_DEPLOYMENT).')
param openAiEmbeddingDeployment string = ''

@description('Azure OpenAI chat deployment used by SIS (LUCIUS_OPENAI_CHAT_DEPLOYMENT).')
param openAiChatDeployment string = ''

@secure()
@description('API keys for machine clients: { keys: [{ "name", "sha256", "tenants" }] }, the keys array being LUCIUS_API_KEYS as the app reads it (main.parameters.json wraps the azd value in the object, since a secure parameter must be a string or an object). Hashes of the keys, never the keys; no keys means Entra ID callers only.')
param apiKeys object = { keys: [] }

@description('Application (client) id of the Entra app registration for the API. Empty: no App Service authentication, API keys only.')
param authClientId string = ''

@description('Entra tenant that issues API tokens. Empty: the deployment\'s tenant.')
param authTenantId string = ''

@description('Prefix of the app roles that grant tenants (LUCIUS_TENANT_ROLE_PREFIX): <prefix><tenant_id>, <prefix>All.')
param tenantRolePrefix string = 'Tenant.'

@description('Claim type carrying those roles (LUCIUS_TENANT_CLAIM). Empty: the principal\'s role claim ("roles").')
param tenantClaim string = ''

// App settings are strings: the JSON parameters go in as JSON text, empty when unset (what the
// code reads as "none").
var tenantInFlightOverridesSetting = empty(tenantInFlightOverrides) ? '' : string(tenantInFlightOverrides)
var tenantInputAllowlistsSetting = empty(tenantInputAllowlists) ? '' : string(tenantInputAllowlists)

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }
var useScheduler = durableBackend == 'DurableTaskScheduler'

// The service names in azure.yaml; azd deploys each service to the app tagged with it.
var orchestratorService = 'orchestrator'
var workersService = 'workers'
var workspacesContainer = 'workspaces'
var orchestratorPackageContainer = 'app-package-orchestrator'
var workersPackageContainer = 'app-package-workers'

// Worker services and the step type each serves: protocols/registry.v1.json is the source
// (SubscriptionNames.directives in lib/config/names.ts lists the same services).
var directiveSubscriptions = [
  { name: 'platform-ocr', stepType: 'OCR' }
  { name: 'platform-embedding', stepType: 'EMBEDDING' }
  { name: 'platform-sis', stepType: 'SIS' }
]

resource rg 'Microsoft.Resources/resourceGroups@2024-03-01' = {
  name: !empty(resourceGroupName) ? resourceGroupName : 'rg-${environmentName}'
  location: location
  tags: tags
}

module orchestratorIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'orchestrator-identity'
  scope: rg
  params: {
    name: 'id-orch-${resourceToken}'
    location: location
    tags: tags
  }
}

module workersIdentity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'workers-identity'
  scope: rg
  params: {
    name: 'id-work-${resourceToken}'
    location: location
    tags: tags
  }
}

// Role assignment entries in the AVM roleAssignments shape.
var orchestratorPrincipal = {
  principalId: orchestratorIdentity.outputs.principalId
  principalType: 'ServicePrincipal'
}
var workersPrincipal = {
  principalId: workersIdentity.outputs.principalId
  principalType: 'ServicePrincipal'
}
var deployerPrincipals = empty(principalId) ? [] : [{ principalId: principalId, principalType: principalType }]

// The orchestrator (Functions host, Durable Functions, ledger) uses blobs, queues and tables, but
// never a document nor the workers' package: its blob role is conditioned away from those
// containers (ABAC). The workers get no account-wide storage role at all: see containerGrants.
var dataContainers = ['inputs', workspacesContainer, 'outputs']
var hostContainers = ['azure-webjobs-hosts', 'azure-webjobs-secrets']
var orchestratorExcludedContainers = join(
  map(concat(dataContainers, [workersPackageContainer]), c => '@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name] StringNotEquals \'${c}\''),
  ' AND '
)
var orchestratorBlobCondition = '((!(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/write\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/add/action\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/delete\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/move/action\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read\'}) AND !(ActionMatches{\'Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write\'})) OR (${orchestratorExcludedContainers}))'

var storageGrants = concat(
  [
    union(orchestratorPrincipal, {
      roleDefinitionIdOrName: roleIds.storageBlobDataOwner
      conditionVersion: '2.0'
      condition: orchestratorBlobCondition
    })
  ],
  // Durable Functions (Azure Storage backend) needs queues and tables; the ledger needs tables.
  map(
    [roleIds.storageQueueDataContributor, roleIds.storageTableDataContributor],
    role => union(orchestratorPrincipal, { roleDefinitionIdOrName: role })
  ),
  map(
    deployerPrincipals,
    p => union(p, { roleDefinitionIdOrName: roleIds.storageBlobDataContributor })
  ),
  map(
    deployerPrincipals,
    p => union(p, { roleDefinitionIdOrName: roleIds.storageQueueDataContributor })
  ),
  map(
    deployerPrincipals,
    p => union(p, { roleDefinitionIdOrName: roleIds.storageTableDataContributor })
  )
)

// The workers' only storage roles, each on one container: read inputs, write workspaces and
// outputs, their host's locks and keys, and read (never write) their own deployment package.
// The orchestrator reads (never writes) workspaces and outputs: GET /v1/jobs/{job_id}/outputs
// shows what the steps wrote, for the console and callers without storage access.
var orchestratorOutputsReader = union(orchestratorPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataReader })
var containerGrants = {
  inputs: [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataReader })]
  '${workspacesContainer}': [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataContributor }), orchestratorOutputsReader]
  outputs: [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataContributor }), orchestratorOutputsReader]
  'azure-webjobs-hosts': [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataOwner })]
  'azure-webjobs-secrets': [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataOwner })]
  '${workersPackageContainer}': [union(workersPrincipal, { roleDefinitionIdOrName: roleIds.storageBlobDataReader })]
}

var busPrincipals = concat([orchestratorPrincipal, workersPrincipal], deployerPrincipals)
// The apps get Data Owner: besides Send and Listen it carries Manage, which Flex Consumption's
// target-based scaling needs to read their subscriptions' message counts (no narrower built-in
// role has Manage). The deploying principal sends and receives only.
var serviceBusGrants = concat(
  map([orchestratorPrincipal, workersPrincipal], p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataOwner })),
  map(deployerPrincipals, p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataSender })),
  map(deployerPrincipals, p => union(p, { roleDefinitionIdOrName: roleIds.serviceBusDataReceiver }))
)

var telemetryGrants = map(
  busPrincipals,
  p => union(p, { roleDefinitionIdOrName: roleIds.monitoringMetricsPublisher })
)

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    logAnalyticsName: 'log-${resourceToken}'
    applicationInsightsName: 'appi-${resourceToken}'
    location: location
    tags: tags
    roleAssignments: telemetryGrants
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    tables: ['jobs', 'tenantindex', 'inflight']
    dataContainers: dataContainers
    deploymentContainers: [orchestratorPackageContainer, workersPackageContainer]
    hostContainers: hostContainers
    roleAssignments: storageGrants
    containerRoleAssignments: containerGrants
  }
}

module serviceBus 'modules/service-bus.bicep' = {
  name: 'service-bus'
  scope: rg
  params: {
    name: 'sb-${resourceToken}'
    location: location
    tags: tags
    directivesTopicName: 'directives'
    repliesTopicName: 'replies'
    directiveSubscriptions: directiveSubscriptions
    replySubscriptions: ['orchestrator']
    maxDeliveryCount: maxDeliveryCount
    messageTimeToLive: messageTimeToLive
    roleAssignments: serviceBusGrants
  }
}

module scheduler 'modules/durable-task-scheduler.bicep' = if (useScheduler) {
  name: 'durable-task-scheduler'
  scope: rg
  params: {
    name: 'dts-${resourceToken}'
    location: location
    tags: tags
    taskHubName: taskHubName
    dataContributors: concat([orchestratorPrincipal], deployerPrincipals)
  }
}

// Settings the orchestrator's code reads (AppSettingNames in lib/config/names.ts), defaults
// included, so the Portal shows what runs. Deliberately absent: LUCIUS_DEVHOST_URL (devhost
// only), LUCIUS_TABLE_PREFIX (test isolation), LUCIUS_STEP_DEFAULTS (tests and demos; production defaults in Azure).
var orchestratorSettings = {
  LUCIUS_BUS_MODE: 'servicebus'
  LUCIUS_TASK_HUB: taskHubName
  LUCIUS_MAX_BODY_BYTES: string(maxBodyBytes)
  LUCIUS_LANES: string(lanes)
  LUCIUS_TENANT_INFLIGHT_LIMIT: string(tenantInFlightLimit)
  LUCIUS_TENANT_INFLIGHT_OVERRIDES: tenantInFlightOverridesSetting
  LUCIUS_GLOBAL_INFLIGHT_LIMIT: string(globalInFlightLimit)
  LUCIUS_RECONCILE_GRACE_SECONDS: string(reconcileGraceSeconds)
  LUCIUS_REPLY_IGNORED_EVENTS_PER_STEP: string(replyIgnoredEventsPerStep)
  LUCIUS_WORKSPACE_URI: '${storage.outputs.blobEndpoint}${workspacesContainer}'
  LUCIUS_TENANT_ROLE_PREFIX: tenantRolePrefix
  LUCIUS_TENANT_CLAIM: tenantClaim
  LUCIUS_INPUT_ALLOWLIST: inputAllowlist
  LUCIUS_TENANT_INPUT_ALLOWLISTS: tenantInputAllowlistsSetting
}

// host.json names the AzureStorage provider; these documented host.json overrides
// (AzureFunctionsJobHost__<path>) switch it to the scheduler without a second host.json.
// The connection "string" is an endpoint plus the identity to use; it holds no secret.
var schedulerSettings = useScheduler
  ? {
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__type: 'azureManaged'
      AzureFunctionsJobHost__extensions__durableTask__storageProvider__connectionStringName: 'DURABLE_TASK_SCHEDULER_CONNECTION_STRING'
      DURABLE_TASK_SCHEDULER_CONNECTION_STRING: 'Endpoint=${scheduler!.outputs.endpoint};Authentication=ManagedIdentity;ClientID=${orchestratorIdentity.outputs.clientId}'
    }
  : {}

// Flex Consumption keeps this many instances warm per scaling group on a job's ACK path: the
// orchestrator's Durable group (the activity that publishes a directive, the orchestration that
// waits for its ACK) and its reply trigger, and each worker's trigger (every non-HTTP function
// scales on its own), so an ACK after an idle period pays no cold start (docs/deploy.md).
var orchestratorAlwaysReady = alwaysReadyInstances == 0 ? [] : map(['durable', 'function:receiveReply'], g => { name: g, instanceCount: alwaysReadyInstances })
var workersAlwaysReady = alwaysReadyInstances == 0 ? [] : map(['function:ocrWorker', 'function:embeddingWorker', 'function:sisWorker'], g => { name: g, instanceCount: alwaysReadyInstances })

module orchestratorApp 'modules/function-app.bicep' = {
  name: 'orchestrator-app'
  scope: rg
  params: {
    name: 'func-orch-${resourceToken}'
    planName: 'plan-orch-${resourceToken}'
    location: location
    tags: tags
    serviceName: orchestratorService
    identityResourceId: orchestratorIdentity.outputs.resourceId
    identityClientId: orchestratorIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: orchestratorPackageContainer
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appSettings: union(orchestratorSettings, schedulerSettings)
    // The key hashes travel in the module's secure parameter only, so they never show in the
    // deployment's inputs (a var or a plain object parameter would print them).
    secureAppSettings: {
      LUCIUS_API_KEYS: empty(apiKeys.?keys ?? []) ? '' : string(apiKeys.keys)
    }
    maximumInstanceCount: maximumInstanceCount
    alwaysReady: orchestratorAlwaysReady
  }
}

// Entra ID in front of the API (App Service authentication); anonymous requests pass through so
// API-key clients and /health still reach the app, which checks every other route itself.
module orchestratorAuth 'modules/app-authentication.bicep' = if (!empty(authClientId)) {
  name: 'orchestrator-auth'
  scope: rg
  params: {
    siteName: orchestratorApp.outputs.name
    clientId: authClientId
    tenantId: empty(authTenantId) ? tenant().tenantId : authTenantId
  }
}

// Settings the workers' code reads (WorkerSettingNames in lib/config/names.ts, plus the shared
// LUCIUS_BUS_MODE and the input allowlists); test/unit/workers-infra.test.ts keeps both lists equal. AZURE_CLIENT_ID
// selects the user-assigned identity for DefaultAzureCredential (Azure OpenAI and Document Intelligence tokens).
var workerSettings = {
  LUCIUS_BUS_MODE: 'servicebus'
  LUCIUS_INPUT_ALLOWLIST: inputAllowlist
  LUCIUS_TENANT_INPUT_ALLOWLISTS: tenantInputAllowlistsSetting
  LUCIUS_MAX_INPUT_BYTES: string(maxInputBytes)
  LUCIUS_OCR_MAX_PIXELS: string(ocrMaxPixels)
  LUCIUS_OCR_MAX_PAGES: string(ocrMaxPages)
  LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT: documentIntelligence ? documentIntelligenceAccount!.outputs.endpoint : documentIntelligenceEndpoint
  LUCIUS_OPENAI_ENDPOINT: openAiEndpoint
  LUCIUS_OPENAI_EMBEDDING_DEPLOYMENT: openAiEmbeddingDeployment
  LUCIUS_OPENAI_CHAT_DEPLOYMENT: openAiChatDeployment
  AZURE_CLIENT_ID: workersIdentity.outputs.clientId
}

module documentIntelligenceAccount 'modules/document-intelligence.bicep' = if (documentIntelligence) {
  name: 'document-intelligence'
  scope: rg
  params: {
    name: 'di-${resourceToken}'
    location: location
    tags: tags
    workersPrincipalId: workersIdentity.outputs.principalId
  }
}

module workersApp 'modules/function-app.bicep' = {
  name: 'workers-app'
  scope: rg
  params: {
    name: 'func-work-${resourceToken}'
    planName: 'plan-work-${resourceToken}'
    location: location
    tags: tags
    serviceName: workersService
    identityResourceId: workersIdentity.outputs.resourceId
    identityClientId: workersIdentity.outputs.clientId
    storageAccountName: storage.outputs.name
    deploymentContainerName: workersPackageContainer
    applicationInsightsName: monitoring.outputs.applicationInsightsName
    serviceBusNamespace: serviceBus.outputs.fullyQualifiedNamespace
    appSettings: workerSettings
    maximumInstanceCount: maximumInstanceCount
    alwaysReady: workersAlwaysReady
  }
}

module alerts 'modules/alerts.bicep' = {
  name: 'alerts'
  scope: rg
  params: {
    namePrefix: 'lucius-${environmentName}'
    location: location
    tags: tags
    applicationInsightsResourceId: monitoring.outputs.applicationInsightsResourceId
    serviceBusNamespaceResourceId: serviceBus.outputs.resourceId
    alertEmail: alertEmail
    failedJobRatePercent: failedJobRatePercent
    functionFailureThreshold: functionFailureThreshold
  }
}

module workbook 'modules/workbook.bicep' = {
  name: 'workbook'
  scope: rg
  params: {
    location: location
    tags: tags
    applicationInsightsResourceId: monitoring.outputs.applicationInsightsResourceId
    serviceBusNamespaceResourceId: serviceBus.outputs.resourceId
  }
}

// Outputs become azd environment values (azd env get-values). Names and endpoints only.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output LUCIUS_API_URL string = orchestratorApp.outputs.uri
output SERVICE_ORCHESTRATOR_NAME string = orchestratorApp.outputs.name
output SERVICE_ORCHESTRATOR_URI string = orchestratorApp.outputs.uri
output SERVICE_WORKERS_NAME string = workersApp.outputs.name
output AZURE_STORAGE_ACCOUNT_NAME string = storage.outputs.name
output AZURE_STORAGE_BLOB_ENDPOINT string = storage.outputs.blobEndpoint
output AZURE_STORAGE_TABLE_ENDPOINT string = storage.outputs.tableEndpoint
output AZURE_SERVICEBUS_NAMESPACE string = serviceBus.outputs.fullyQualifiedNamespace
output AZURE_APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LUCIUS_DURABLE_BACKEND string = durableBackend
output LUCIUS_TASK_HUB string = taskHubName
output DURABLE_TASK_SCHEDULER_ENDPOINT string = useScheduler ? scheduler!.outputs.endpoint : ''
output LUCIUS_WORKBOOK_ID string = workbook.outputs.resourceId
