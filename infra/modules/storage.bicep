// The storage account: ledger tables, document containers, the Functions host's own storage
// and the Flex Consumption deployment packages. Shared keys are off; every caller uses Entra ID.
// Every container is created here: the apps never create one (a ref to any other container fails).

@description('Storage account name (3-24 lowercase letters and digits).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Ledger tables (TableNames in lib/config/names.ts).')
param tables string[]

@description('Blob containers for document refs (ContainerNames in lib/config/names.ts).')
param dataContainers string[]

@description('One blob container per Function App for its Flex Consumption deployment package.')
param deploymentContainers string[]

@description('Containers the Functions hosts keep their locks and keys in, created here so container-scoped roles can name them.')
param hostContainers string[] = []

@description('Role assignments on the account, in the AVM roleAssignments shape.')
param roleAssignments array = []

@description('Role assignments on single containers: container name → entries in the AVM roleAssignments shape.')
param containerRoleAssignments object = {}

@description('Storage redundancy.')
@allowed(['Standard_LRS', 'Standard_ZRS', 'Standard_GRS', 'Standard_GZRS'])
param skuName string = 'Standard_LRS'

module account 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage-account'
  params: {
    name: name
    location: location
    tags: tags
    kind: 'StorageV2'
    skuName: skuName
    allowSharedKeyAccess: false
    defaultToOAuthAuthentication: true
    allowBlobPublicAccess: false
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      deleteRetentionPolicyEnabled: true
      deleteRetentionPolicyDays: 7
      containerDeleteRetentionPolicyEnabled: true
      containerDeleteRetentionPolicyDays: 7
      containers: map(concat(dataContainers, deploymentContainers, hostContainers), container => {
        name: container
        publicAccess: 'None'
        roleAssignments: containerRoleAssignments[?container] ?? []
      })
    }
    tableServices: {
      tables: map(tables, table => { name: table })
    }
    roleAssignments: roleAssignments
  }
}

@description('Storage account name.')
output name string = account.outputs.name

@description('Storage account resource id.')
output resourceId string = account.outputs.resourceId

@description('Blob endpoint, with a trailing slash.')
output blobEndpoint string = account.outputs.serviceEndpoints.blob

@description('Queue endpoint, with a trailing slash.')
output queueEndpoint string = account.outputs.serviceEndpoints.queue

@description('Table endpoint, with a trailing slash.')
output tableEndpoint string = account.outputs.serviceEndpoints.table
