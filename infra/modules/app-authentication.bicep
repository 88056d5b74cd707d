// App Service authentication (Easy Auth v2) with Entra ID in front of a Function App. Easy Auth
// validates bearer tokens issued for the app registration and injects the caller as
// x-ms-client-principal (stripping any copy a client sends). Anonymous requests still reach the
// app: machine clients authenticate with x-api-key and /health is open; the app itself refuses
// everything else without a credential (lib/auth). A request with an invalid token is refused
// here, before the app runs.

@description('Name of the existing Function App.')
param siteName string

@description('Application (client) id of the Entra app registration that exposes the API and its Tenant.* app roles.')
param clientId string

@description('Entra tenant that issues the tokens.')
param tenantId string

resource site 'Microsoft.Web/sites@2024-04-01' existing = {
  name: siteName
}

resource auth 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: site
  name: 'authsettingsV2'
  properties: {
    platform: {
      enabled: true
    }
    globalValidation: {
      requireAuthentication: false
      unauthenticatedClientAction: 'AllowAnonymous'
    }
    httpSettings: {
      requireHttps: true
      forwardProxy: {
        convention: 'NoProxy'
      }
    }
    identityProviders: {
      azureActiveDirectory: {
        enabled: true
        registration: {
          clientId: clientId
          openIdIssuer: '${environment().authentication.loginEndpoint}${tenantId}/v2.0'
        }
        validation: {
          allowedAudiences: [
            clientId
            'api://${clientId}'
          ]
        }
      }
    }
    login: {
      tokenStore: {
        enabled: false
      }
    }
  }
}

@description('Name of the auth settings resource.')
output name string = auth.name
