// The architecture view's words: labels for the live numbers, and for each component a short
// explanation in the spirit of the course notes (what it is, what it does, what to watch for here).
import type { Strings } from "../i18n";

export const S: Strings = {
  en: {
    title: "How the cluster works, live",
    intro: "Two halves, as in the course notes: the control plane decides, the data plane (the worker nodes) runs the Pods. Everything talks through kube-apiserver. Tap a component to read what it does.",
    explainAll: "Explain everything", hideAll: "Hide explanations",
    cp: "Control plane", cpSub: "Creates and manages the cluster's resources and its workers",
    dp: "Data plane", dpSub: "The worker nodes: they run the Pods of our applications",
    via: "⇅ All communication goes through kube-apiserver",
    clients: "kubectl · this page · students", clientsLink: "REST + watch",
    linkScheduler: "watch Pods · bind", linkControllers: "watch · create / update", linkCloud: "watch Services · LB status",
    linkEtcd: "only the apiserver reads and writes etcd",
    linkNode: "Lease · Pod status · watch", linkNodeCut: "✂ cut off: partitioned", linkNodeOff: "machine off",
    cri: "CRI: start / stop containers",
    waiting: "Waiting for the first numbers…",
    running: "running", stopped: "stopped", partitioned: "partitioned", notRunning: "not running",
    // kube-apiserver
    reqPerSec: "requests/s", requests: "requests", watches: "open watches",
    // etcd
    revision: "revision", keys: "keys", history: "history rows", dbSize: "db size", compacted: "compacted at",
    // scheduler
    queue: "queue", active: "active", backoff: "backoff", unschedulable: "unschedulable", cycles: "cycles", bound: "bound", failed: "failed",
    scoring: "scoring", lastDecisions: "last decisions", noDecisions: "no decisions yet", stoppedScheduler: "stopped: new Pods stay Pending",
    // controllers
    reconciles: "reconciles", total: "total", stoppedControllers: "stopped: nothing is reconciled",
    // cloud
    onPrem: "not running: on premises", loadBalancers: "LoadBalancers", noLb: "no LoadBalancer Services", pendingAddress: "pending",
    // nodes
    heartbeat: "last heartbeat", ago: "{s}s ago", never: "never", machine: "machine", pods: "Pods", podsOnNode: "{n} Pods",
    rules: "iptables rules", services: "Services", endpoints: "endpoints",
    containers: "containers running", podsRunning: "Pods running", noNodes: "No worker nodes: add one in the console.",
    ready: "Ready", notReady: "NotReady", unknown: "Unknown", cordoned: "cordoned", openPod: "Open Pod {name}",
    // explanations
    "x-kube-apiserver": "The front door of the cluster: it exposes the Kubernetes API, authenticates and authorizes every request, validates it and stores it in etcd. kubectl, this page, the scheduler, the controllers and every kubelet talk only to it. Watch requests/s jump when the class runs kubectl apply.",
    "x-etcd": "The distributed key-value database that holds the state of the whole cluster: every Pod, Node, Service and config. Only kube-apiserver reads and writes it; every write bumps the revision, so watch it climb as Pods start. Back it up often (console → Danger zone → snapshot).",
    "x-kube-scheduler": "Decides which Node each new Pod runs on: it filters out nodes that don't fit (CPU, memory, taints, affinity) and scores the rest. It only writes a binding; the kubelet does the rest. Stop it in the console: new Pods stay Pending.",
    "x-kube-controller-manager": "Runs the controllers (Deployment, ReplicaSet, Node lifecycle, Job…): loops that compare the desired state with the actual state and act to close the gap. Stop it in the console: deleted Pods are not replaced and a dead node is never marked NotReady.",
    "x-cloud-controller-manager": "Connects the cluster to the cloud provider (AWS, GCP, Azure…): it gives LoadBalancer Services an external address and notices machines that disappeared. On premises it usually isn't there, and LoadBalancer Services stay <pending>.",
    "x-kubelet": "The agent on every node: it asks kube-apiserver for the Pods bound to its node, has the container runtime start them, runs the probes and reports their status. It renews its Lease every few seconds (the heartbeat): stop or partition the node and watch the heartbeat age until the node goes NotReady (~40 s).",
    "x-kube-proxy": "The network proxy on every node that implements Services: it watches Services and EndpointSlices and writes forwarding rules so traffic to a Service IP reaches a ready Pod. Create a Service and watch the rule count grow on every node.",
    "x-container-runtime": "containerd (or CRI-O, Docker…): pulls images and starts and stops the containers when the kubelet asks over the CRI. It knows nothing about desired state: keeping containers running is the kubelet's job.",
  },
  "pt-BR": {
    title: "Como o cluster funciona, ao vivo",
    intro: "Duas metades, como nas notas do curso: o control plane decide, o data plane (os nós workers) executa os Pods. Toda a comunicação passa pelo kube-apiserver. Toque em um componente para ver o que ele faz.",
    explainAll: "Explicar tudo", hideAll: "Esconder explicações",
    cp: "Control plane", cpSub: "Cria e gerencia os recursos do cluster e os seus workers",
    dp: "Data plane", dpSub: "Os nós workers: executam os Pods das nossas aplicações",
    via: "⇅ Toda a comunicação passa pelo kube-apiserver",
    clients: "kubectl · esta página · alunos", clientsLink: "REST + watch",
    linkScheduler: "observa Pods · faz o bind", linkControllers: "observa · cria / atualiza", linkCloud: "observa Services · status do LB",
    linkEtcd: "só o apiserver lê e escreve no etcd",
    linkNode: "Lease · status dos Pods · watch", linkNodeCut: "✂ isolado: rede particionada", linkNodeOff: "máquina desligada",
    cri: "CRI: inicia / para containers",
    waiting: "Aguardando os primeiros números…",
    running: "rodando", stopped: "parado", partitioned: "particionado", notRunning: "não está rodando",
    reqPerSec: "requisições/s", requests: "requisições", watches: "watches abertos",
    revision: "revisão", keys: "chaves", history: "linhas de histórico", dbSize: "tamanho do banco", compacted: "compactado em",
    queue: "fila", active: "ativos", backoff: "backoff", unschedulable: "não agendáveis", cycles: "ciclos", bound: "agendados", failed: "falharam",
    scoring: "pontuação", lastDecisions: "últimas decisões", noDecisions: "nenhuma decisão ainda", stoppedScheduler: "parado: Pods novos ficam Pending",
    reconciles: "reconciliações", total: "total", stoppedControllers: "parado: nada é reconciliado",
    onPrem: "não está rodando: on-premises", loadBalancers: "LoadBalancers", noLb: "nenhum Service LoadBalancer", pendingAddress: "pendente",
    heartbeat: "último heartbeat", ago: "há {s}s", never: "nunca", machine: "máquina", pods: "Pods", podsOnNode: "{n} Pods",
    rules: "regras iptables", services: "Services", endpoints: "endpoints",
    containers: "containers rodando", podsRunning: "Pods rodando", noNodes: "Nenhum nó worker: adicione um no console.",
    ready: "Ready", notReady: "NotReady", unknown: "Unknown", cordoned: "cordon", openPod: "Abrir o Pod {name}",
    "x-kube-apiserver": "A porta de entrada do cluster: expõe a API do Kubernetes, autentica e autoriza cada requisição, valida e grava no etcd. O kubectl, esta página, o scheduler, os controllers e todos os kubelets falam só com ele. Repare nas requisições/s subindo quando a turma roda kubectl apply.",
    "x-etcd": "O banco de dados chave-valor distribuído que guarda o estado de todo o cluster: cada Pod, Node, Service e configuração. Só o kube-apiserver lê e escreve nele; cada escrita aumenta a revisão, então veja ela subir quando os Pods sobem. Faça backup com frequência (console → Zona de perigo → snapshot).",
    "x-kube-scheduler": "Decide em qual Node cada Pod novo vai rodar: descarta os nós que não servem (CPU, memória, taints, afinidade) e dá nota aos demais. Ele só grava o binding; o resto é com o kubelet. Pare o scheduler no console: os Pods novos ficam Pending.",
    "x-kube-controller-manager": "Executa os controllers (Deployment, ReplicaSet, ciclo de vida dos Nodes, Job…): laços que comparam o estado desejado com o estado atual e agem para corrigir a diferença. Pare-o no console: Pods apagados não são recriados e um nó morto nunca fica NotReady.",
    "x-cloud-controller-manager": "Integra o cluster com o provedor de nuvem (AWS, GCP, Azure…): dá um endereço externo aos Services LoadBalancer e percebe máquinas que sumiram. Em ambientes on-premises geralmente não existe, e os Services LoadBalancer ficam <pending>.",
    "x-kubelet": "O agente de cada nó: pede ao kube-apiserver os Pods destinados ao seu nó, manda o container runtime criá-los, roda as probes e informa o status. A cada poucos segundos renova o seu Lease (o heartbeat): pare ou particione o nó e veja o heartbeat envelhecer até o nó ficar NotReady (~40 s).",
    "x-kube-proxy": "O proxy de rede de cada nó que implementa os Services: observa Services e EndpointSlices e escreve as regras de encaminhamento para que o tráfego a um IP de Service chegue a um Pod pronto. Crie um Service e veja o número de regras crescer em todos os nós.",
    "x-container-runtime": "O containerd (ou CRI-O, Docker…): baixa as imagens e inicia e para os containers quando o kubelet pede, pela CRI. Ele não sabe nada de estado desejado: manter os containers rodando é trabalho do kubelet.",
  },
};
