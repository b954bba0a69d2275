"""The closed vocabularies of the knowledge base, declared once.

Everything else (validation, graph, pages, exports, the browser JSON) reads these tables;
nothing repeats them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Label:
    """A term in both site languages."""

    en: str
    zh: str


LANGUAGES: tuple[str, ...] = ("en", "zh")

LAYERS: dict[str, Label] = {
    "core": Label("Core technologies", "核心技术"),
    "platform": Label("Platform technologies", "平台技术"),
    "support": Label("Support technologies", "支持技术"),
    "concepts": Label("Concepts", "概念"),
}


@dataclass(frozen=True)
class Category:
    """A folder of `kb/`: one district of the ecosystem map."""

    id: str
    layer: str
    label: Label
    blurb: Label


CATEGORIES: dict[str, Category] = {
    c.id: c
    for c in [
        Category(
            "specs",
            "core",
            Label("Specifications", "规范"),
            Label("Open standards that make containers portable.", "让容器可移植的开放标准。"),
        ),
        Category(
            "runtimes",
            "core",
            Label("Container runtimes", "容器运行时"),
            Label(
                "Programs that create and run containers on one host.", "在单台主机上创建并运行容器的程序。"
            ),
        ),
        Category(
            "management-tools",
            "core",
            Label("Container management tools", "容器管理工具"),
            Label(
                "Daemons and CLIs that drive runtimes and manage images.",
                "驱动运行时、管理镜像的守护进程与命令行工具。",
            ),
        ),
        Category(
            "image-tools",
            "core",
            Label("Container definition tools", "容器定义工具"),
            Label("Formats and tools that define and build images.", "定义与构建镜像的格式和工具。"),
        ),
        Category(
            "registries",
            "core",
            Label("Registries", "镜像仓库"),
            Label("Services that store and distribute images.", "存储和分发镜像的服务。"),
        ),
        Category(
            "container-os",
            "core",
            Label("Container operating systems", "容器操作系统"),
            Label(
                "Minimal operating systems built to host containers.", "专为运行容器而构建的精简操作系统。"
            ),
        ),
        Category(
            "orchestration",
            "platform",
            Label("Container orchestration", "容器编排"),
            Label("Schedulers that run containers across a cluster.", "在集群中调度和运行容器的系统。"),
        ),
        Category(
            "management-platforms",
            "platform",
            Label("Container management platforms", "容器管理平台"),
            Label(
                "Platforms that operate orchestrators and clusters for you.", "替你运维编排引擎和集群的平台。"
            ),
        ),
        Category(
            "paas",
            "platform",
            Label("Container-based PaaS", "基于容器的 PaaS"),
            Label("Platforms that turn code into running containers.", "把代码变成运行中容器的平台。"),
        ),
        Category(
            "networking",
            "support",
            Label("Container networking", "容器网络"),
            Label("Connecting containers on one host and across hosts.", "连接单机与跨主机的容器。"),
        ),
        Category(
            "service-discovery",
            "support",
            Label("Service discovery", "服务发现"),
            Label("Finding services and sharing configuration in a cluster.", "在集群中发现服务、共享配置。"),
        ),
        Category(
            "monitoring",
            "support",
            Label("Monitoring", "监控"),
            Label("Watching containers' resources and behaviour.", "观察容器的资源与行为。"),
        ),
        Category(
            "storage",
            "support",
            Label("Data management", "数据管理"),
            Label("Keeping data beyond a container's life.", "让数据比容器活得更久。"),
        ),
        Category(
            "logging",
            "support",
            Label("Logging", "日志"),
            Label("Collecting and shipping container logs.", "收集与转发容器日志。"),
        ),
        Category(
            "security",
            "support",
            Label("Security", "安全"),
            Label("Isolating, scanning, signing and auditing containers.", "隔离、扫描、签名与审计容器。"),
        ),
        Category(
            "developer-desktops",
            "core",
            Label("Developer desktops", "开发者桌面"),
            Label(
                "Apps that run a container engine on a laptop, usually inside a small VM.",
                "在笔记本电脑上运行容器引擎的应用，通常借助一台小型虚拟机。",
            ),
        ),
        Category(
            "wasm",
            "core",
            Label("WebAssembly runtimes", "WebAssembly 运行时"),
            Label(
                "Running WebAssembly modules next to, or instead of, containers.",
                "在容器旁边或代替容器运行 WebAssembly 模块。",
            ),
        ),
        Category(
            "kubernetes-distributions",
            "platform",
            Label("Kubernetes installers & local clusters", "Kubernetes 安装工具与本地集群"),
            Label(
                "Tools that install a Kubernetes cluster, from a laptop to a data centre.",
                "安装 Kubernetes 集群的工具，从笔记本电脑到数据中心。",
            ),
        ),
        Category(
            "app-definition",
            "platform",
            Label("Application definition & packaging", "应用定义与打包"),
            Label(
                "Packaging and configuring what runs on a cluster: charts, overlays, operators.",
                "打包和配置集群上运行的应用：chart、overlay 与 operator。",
            ),
        ),
        Category(
            "ci-cd",
            "platform",
            Label("CI/CD & GitOps", "CI/CD 与 GitOps"),
            Label(
                "Building, testing and delivering changes, up to a cluster kept in step with Git.",
                "构建、测试和交付变更，直到让集群与 Git 保持一致。",
            ),
        ),
        Category(
            "serverless",
            "platform",
            Label("Serverless & autoscaling", "无服务器与自动伸缩"),
            Label(
                "Scaling workloads with demand, down to zero.",
                "让工作负载随需求伸缩，直至缩容到零。",
            ),
        ),
        Category(
            "service-mesh",
            "platform",
            Label("Service mesh", "服务网格"),
            Label(
                "Encryption, retries and telemetry between services, without changing their code.",
                "在服务之间提供加密、重试与遥测，而无需修改服务代码。",
            ),
        ),
        Category(
            "virtualization",
            "platform",
            Label("Virtualisation on Kubernetes", "Kubernetes 上的虚拟化"),
            Label(
                "Running virtual machines as cluster workloads, next to containers.",
                "把虚拟机作为集群工作负载，与容器一起运行。",
            ),
        ),
        Category(
            "service-proxy",
            "support",
            Label("Proxies, ingress & API gateways", "代理、Ingress 与 API 网关"),
            Label(
                "Bringing traffic into a cluster and routing it between services.",
                "把流量引入集群，并在服务之间路由。",
            ),
        ),
        Category(
            "tracing",
            "support",
            Label("Distributed tracing & telemetry", "分布式链路追踪与遥测"),
            Label(
                "Following one request across many services.",
                "跨越众多服务追踪同一个请求。",
            ),
        ),
        Category(
            "policy",
            "support",
            Label("Policy & admission control", "策略与准入控制"),
            Label(
                "Rules a cluster enforces before and while workloads run.",
                "集群在工作负载运行之前和运行期间强制执行的规则。",
            ),
        ),
        Category(
            "secrets-identity",
            "support",
            Label("Secrets & workload identity", "机密与工作负载身份"),
            Label(
                "Storing credentials and giving each workload a verifiable identity.",
                "保管凭据，并为每个工作负载提供可验证的身份。",
            ),
        ),
        Category(
            "supply-chain",
            "support",
            Label("Software supply chain", "软件供应链"),
            Label(
                "Signing, attesting and verifying what goes into an image.",
                "为镜像的组成部分签名、出具证明并加以验证。",
            ),
        ),
        Category(
            "concepts",
            "concepts",
            Label("Concepts", "概念"),
            Label("The ideas the rest of the map is built on.", "整张地图赖以成立的基本概念。"),
        ),
    ]
}

KINDS: dict[str, Label] = {
    "spec": Label("Specification", "规范"),
    "runtime": Label("Runtime", "运行时"),
    "management-tool": Label("Management tool", "管理工具"),
    "image-tool": Label("Image / definition tool", "镜像与定义工具"),
    "image-format": Label("Image format", "镜像格式"),
    "registry": Label("Registry", "镜像仓库"),
    "container-os": Label("Container OS", "容器操作系统"),
    "orchestrator": Label("Orchestrator", "编排引擎"),
    "management-platform": Label("Management platform", "管理平台"),
    "paas": Label("PaaS", "PaaS"),
    "networking": Label("Networking", "网络"),
    "service-discovery": Label("Service discovery", "服务发现"),
    "monitoring": Label("Monitoring", "监控"),
    "storage": Label("Data management / storage", "数据管理与存储"),
    "logging": Label("Logging", "日志"),
    "security": Label("Security", "安全"),
    "desktop": Label("Developer desktop", "开发者桌面"),
    "wasm-runtime": Label("WebAssembly runtime", "WebAssembly 运行时"),
    "installer": Label("Kubernetes installer / distribution", "Kubernetes 安装工具与发行版"),
    "packaging": Label("Application definition / packaging", "应用定义与打包"),
    "ci-cd": Label("CI/CD / GitOps", "CI/CD 与 GitOps"),
    "serverless": Label("Serverless / autoscaling", "无服务器与自动伸缩"),
    "service-mesh": Label("Service mesh", "服务网格"),
    "virtualization": Label("Virtualisation", "虚拟化"),
    "proxy": Label("Proxy / ingress / API gateway", "代理、Ingress 与 API 网关"),
    "tracing": Label("Tracing / telemetry", "链路追踪与遥测"),
    "policy": Label("Policy engine", "策略引擎"),
    "secrets": Label("Secrets / identity", "机密与身份"),
    "supply-chain": Label("Supply-chain security", "供应链安全"),
    "concept": Label("Concept", "概念"),
}

STATUSES: dict[str, Label] = {
    "active": Label("Active", "活跃"),
    "maintenance": Label("Maintenance only", "仅维护"),
    "deprecated": Label("Deprecated", "已弃用"),
    "archived": Label("Archived", "已归档"),
    "historical": Label("Historical", "历史"),
}

FOUNDATION_STATUSES: dict[str, Label] = {
    "sandbox": Label("Sandbox", "沙箱"),
    "incubating": Label("Incubating", "孵化"),
    "graduated": Label("Graduated", "毕业"),
    "archived": Label("Archived", "已归档"),
    "project": Label("Hosted project", "托管项目"),
    "top-level": Label("Top-level project", "顶级项目"),
}

#: Facts that need a source on the entry (`sources[].supports`); `status` only when not active.
SOURCED_FACTS: dict[str, Label] = {
    "first_release": Label("first release", "首次发布"),
    "status": Label("status", "状态"),
    "license": Label("licence", "许可证"),
    "foundation": Label("foundation maturity", "基金会成熟度"),
}


@dataclass(frozen=True)
class RelationType:
    """A typed link: the forward wording, its computed inverse, and graph rules."""

    id: str
    inverse: str
    label: Label
    inverse_label: Label
    symmetric: bool = False
    acyclic: bool = False


RELATION_TYPES: dict[str, RelationType] = {
    r.id: r
    for r in [
        RelationType(
            "implements",
            "implemented-by",
            Label("implements", "实现了"),
            Label("implemented by", "被以下实现"),
        ),
        RelationType(
            "specifies", "specified-by", Label("specifies", "规定了"), Label("specified by", "由以下规定")
        ),
        RelationType("manages", "managed-by", Label("manages", "管理"), Label("managed by", "由以下管理")),
        RelationType("uses", "used-by", Label("uses", "使用"), Label("used by", "被以下使用")),
        RelationType("builds", "built-by", Label("builds", "构建"), Label("built by", "由以下构建")),
        RelationType("stores", "stored-in", Label("stores", "存储"), Label("stored in", "存储于")),
        RelationType("hosts", "runs-on", Label("hosts", "承载"), Label("runs on", "运行于")),
        RelationType(
            "orchestrates",
            "orchestrated-by",
            Label("orchestrates", "编排"),
            Label("orchestrated by", "由以下编排"),
        ),
        RelationType(
            "monitors", "monitored-by", Label("monitors", "监控"), Label("monitored by", "由以下监控")
        ),
        RelationType(
            "part-of", "has-part", Label("part of", "属于"), Label("has part", "包含"), acyclic=True
        ),
        RelationType(
            "succeeded-by",
            "successor-of",
            Label("succeeded by", "后继项目"),
            Label("successor of", "前身"),
            acyclic=True,
        ),
        RelationType(
            "fork-of", "forked-as", Label("fork of", "分叉自"), Label("forked as", "被分叉为"), acyclic=True
        ),
        RelationType(
            "alternative-to",
            "alternative-to",
            Label("alternative to", "替代方案"),
            Label("alternative to", "替代方案"),
            symmetric=True,
        ),
        RelationType(
            "complements",
            "complements",
            Label("works together with", "配合使用"),
            Label("works together with", "配合使用"),
            symmetric=True,
        ),
        RelationType(
            "related-to",
            "related-to",
            Label("related to", "相关"),
            Label("related to", "相关"),
            symmetric=True,
        ),
    ]
}

INVERSE_TYPES: dict[str, RelationType] = {r.inverse: r for r in RELATION_TYPES.values() if not r.symmetric}
