// Starting points for the YAML editor: the Kubernetes documentation's own examples, minimal and
// correct. No metadata.namespace: they go into the user's namespace, as `kubectl apply` would.

export const TEMPLATE_KEYS = ["Deployment", "Pod", "Service", "ConfigMap", "Secret", "Job", "Deployment+Service"] as const;
export type TemplateKey = (typeof TEMPLATE_KEYS)[number];

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: nginx-deployment
  labels:
    app: nginx
spec:
  replicas: 3
  selector:
    matchLabels:
      app: nginx
  template:
    metadata:
      labels:
        app: nginx
    spec:
      containers:
      - name: nginx
        image: nginx:1.14.2
        ports:
        - containerPort: 80
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
          limits:
            memory: 256Mi
`;

const pod = `apiVersion: v1
kind: Pod
metadata:
  name: nginx
spec:
  containers:
  - name: nginx
    image: nginx:1.14.2
    ports:
    - containerPort: 80
`;

const service = `apiVersion: v1
kind: Service
metadata:
  name: nginx-service
spec:
  selector:
    app: nginx
  ports:
  - protocol: TCP
    port: 80
    targetPort: 80
`;

const configMap = `apiVersion: v1
kind: ConfigMap
metadata:
  name: game-demo
data:
  # property-like keys; each key maps to a simple value
  player_initial_lives: "3"
  ui_properties_file_name: "user-interface.properties"
  # file-like keys
  game.properties: |
    enemy.types=aliens,monsters
    player.maximum-lives=5
`;

const secret = `apiVersion: v1
kind: Secret
metadata:
  name: secret-basic-auth
type: kubernetes.io/basic-auth
stringData:
  username: admin
  password: t0p-Secret
`;

const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
  backoffLimit: 4
`;

export const TEMPLATES: Record<TemplateKey, string> = {
  Deployment: deployment,
  Pod: pod,
  Service: service,
  ConfigMap: configMap,
  Secret: secret,
  Job: job,
  // Several documents in one text, separated by ---, are applied in order.
  "Deployment+Service": `${deployment}---\n${service}`,
};
