// The Service Bus namespace: topic "directives" (orchestrator -> workers, one subscription per
// worker service filtered on the step_type application property) and topic "replies"
// (workers -> orchestrator). Local (SAS) auth is off; callers use Entra ID roles.

@description('Namespace name (6-50 characters).')
param name string

@description('Azure region.')
param location string

@description('Tags for every resource.')
param tags object = {}

@description('Name of the directives topic (TopicNames.directives).')
param directivesTopicName string

@description('Name of the replies topic (TopicNames.replies).')
param repliesTopicName string

@description('Subscriptions on the directives topic: { name: worker service, stepType: the step type it serves }.')
param directiveSubscriptions {
  name: string
  stepType: string
}[]

@description('Subscriptions on the replies topic (SubscriptionNames.replies).')
param replySubscriptions string[]

@description('Deliveries before a message is dead-lettered.')
@minValue(1)
param maxDeliveryCount int = 10

@description('Peek-lock duration (ISO 8601, at most PT5M).')
param lockDuration string = 'PT1M'

@description('Default time to live of a message; expired messages are dead-lettered.')
param messageTimeToLive string = 'P1D'

@description('Duplicate detection window; message ids are "{job_id}:{step_id}:{attempt_no}:{type}".')
param duplicateDetectionWindow string = 'PT10M'

@description('Role assignments on the namespace, in the AVM roleAssignments shape.')
param roleAssignments array = []

// SQL filter per worker service. Naming the rule $Default replaces the catch-all rule
// Service Bus creates with every subscription; otherwise every worker would get every step.
var directiveSubscriptionSpecs = map(directiveSubscriptions, subscription => {
  name: subscription.name
  maxDeliveryCount: maxDeliveryCount
  lockDuration: lockDuration
  defaultMessageTimeToLive: messageTimeToLive
  deadLetteringOnMessageExpiration: true
  deadLetteringOnFilterEvaluationExceptions: true
  rules: [
    {
      name: '$Default'
      filterType: 'SqlFilter'
      sqlFilter: {
        sqlExpression: 'step_type = \'${subscription.stepType}\''
      }
    }
  ]
})

var replySubscriptionSpecs = map(replySubscriptions, subscription => {
  name: subscription
  maxDeliveryCount: maxDeliveryCount
  lockDuration: lockDuration
  defaultMessageTimeToLive: messageTimeToLive
  deadLetteringOnMessageExpiration: true
  deadLetteringOnFilterEvaluationExceptions: true
})

module namespace 'br/public:avm/res/service-bus/namespace:0.17.0' = {
  name: 'service-bus-namespace'
  params: {
    name: name
    location: location
    tags: tags
    skuObject: {
      name: 'Standard'
    }
    zoneRedundant: false
    disableLocalAuth: true
    authorizationRules: []
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
    roleAssignments: roleAssignments
    topics: [
      {
        name: directivesTopicName
        requiresDuplicateDetection: true
        duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
        defaultMessageTimeToLive: messageTimeToLive
        subscriptions: directiveSubscriptionSpecs
      }
      {
        name: repliesTopicName
        requiresDuplicateDetection: true
        duplicateDetectionHistoryTimeWindow: duplicateDetectionWindow
        defaultMessageTimeToLive: messageTimeToLive
        subscriptions: replySubscriptionSpecs
      }
    ]
  }
}

@description('Namespace name.')
output name string = namespace.outputs.name

@description('Namespace resource id.')
output resourceId string = namespace.outputs.resourceId

@description('Host name for ServiceBusConnection__fullyQualifiedNamespace, e.g. sb-x.servicebus.windows.net.')
output fullyQualifiedNamespace string = split(split(namespace.outputs.serviceBusEndpoint, '//')[1], ':')[0]
