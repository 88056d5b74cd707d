// Azure AI Document Intelligence for the OCR worker's prebuilt-read model, provisioned only when
// main.bicep's documentIntelligence is true. Keys are disabled: the workers' managed identity
// calls it with Entra ID tokens, which need the custom subdomain.
import { roleIds } from 'role-ids.bicep'

@description('Account name, also its custom subdomain (<name>.cognitiveservices.azure.com).')
param name string

@description('Region of the account.')
param location string

@description('Tags for the account.')
param tags object = {}

@description('Principal id of the workers identity, granted Cognitive Services User (analyze and read results).')
param workersPrincipalId string

resource account 'Microsoft.CognitiveServices/accounts@2024-10-01' = {
  name: name
  location: location
  tags: tags
  kind: 'FormRecognizer'
  sku: {
    name: 'S0'
  }
  properties: {
    customSubDomainName: name
    disableLocalAuth: true
    publicNetworkAccess: 'Enabled'
  }
}

resource workersCanRead 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(account.id, workersPrincipalId, roleIds.cognitiveServicesUser)
  scope: account
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', roleIds.cognitiveServicesUser)
    principalId: workersPrincipalId
    principalType: 'ServicePrincipal'
  }
}

@description('The endpoint the workers call (LUCIUS_DOCUMENT_INTELLIGENCE_ENDPOINT).')
output endpoint string = account.properties.endpoint

@description('The account name.')
output name string = account.name
